// The CommonJS entry. It forwards every call to the ESM entry so that both module systems
// share one session and one copy of the glue (aws-amplify ships separate ESM and CJS
// singletons; the session must live in the ESM one a seed script uses).
"use strict";

const esm = () => import("./index.mjs");

exports.getSecret = async (...args) => (await esm()).getSecret(...args);
exports.setSecret = async (...args) => (await esm()).setSecret(...args);
exports.createAndSignUpUser = async (...args) => (await esm()).createAndSignUpUser(...args);
exports.signInUser = async (...args) => (await esm()).signInUser(...args);
exports.addToUserGroup = async (...args) => (await esm()).addToUserGroup(...args);
exports.ensureUser = async (...args) => (await esm()).ensureUser(...args);
exports.createUsers = async (...args) => (await esm()).createUsers(...args);
exports.deleteUsers = async (...args) => (await esm()).deleteUsers(...args);
exports.deleteAllUsers = async (...args) => (await esm()).deleteAllUsers(...args);
exports.seedPolicy = async (...args) => (await esm()).seedPolicy(...args);
exports.graphql = async (...args) => (await esm()).graphql(...args);
exports.createRecords = async (...args) => (await esm()).createRecords(...args);
exports.uploadFiles = async (...args) => (await esm()).uploadFiles(...args);
exports.waitForNextTotpWindow = async (...args) => (await esm()).waitForNextTotpWindow(...args);
// Synchronous: it cannot go through the ESM entry's dynamic import, so it loads the binding itself.
exports.totpCode = (sharedSecret, at) => require("./loader.cjs").loadBinding().totpCode(sharedSecret, at);
