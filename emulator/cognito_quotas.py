"""Cognito request-rate quotas (launcher patch q). Test harness only.

Off unless the launcher runs with SEEDTEST_COGNITO_QUOTAS=1. Then every cognito-idp request
(signed or not) takes a token from its quota category's bucket; an empty bucket answers HTTP 400
TooManyRequestsException `Rate exceeded` (launcher.py sends it, like a `throttle` fault). The
buckets are shared by every pool, client and caller of the emulator process: Cognito's quotas
are per account and Region ("Quotas in Amazon Cognito", developer guide).

README.md ("Cognito quotas, patch q") says which operations are in which category, what comes
from the docs and what is guessed.
"""

import threading
import time

from cognito_options import _env_flag, _env_number

# category -> (default requests per second, operations). Default rates: the developer guide's
# table "Amazon Cognito user pools API operation categories and request rate quotas".
CATEGORIES = {
    "UserAuthentication": (120, ("InitiateAuth", "AdminInitiateAuth", "GetTokensFromRefreshToken")),
    "UserCreation": (50, ("SignUp", "ConfirmSignUp", "AdminCreateUser", "AdminConfirmSignUp")),
    "UserAccountRecovery": (30, ("ForgotPassword", "ConfirmForgotPassword", "ChangePassword",
                                 "AdminResetUserPassword", "AdminSetUserPassword")),
    "UserRead": (120, ("AdminGetUser", "GetUser", "AdminGetUserAuthFactors", "GetUserAuthFactors")),
    "UserUpdate": (25, ("AdminUpdateUserAttributes", "AdminDeleteUserAttributes", "AdminDeleteUser",
                        "AdminDisableUser", "AdminEnableUser", "AdminSetUserMFAPreference",
                        "AdminSetUserSettings", "AdminUserGlobalSignOut", "AdminLinkProviderForUser",
                        "AdminDisableProviderForUser", "UpdateUserAttributes", "DeleteUserAttributes",
                        "DeleteUser", "SetUserMFAPreference", "SetUserSettings", "GlobalSignOut",
                        "VerifyUserAttribute", "AssociateSoftwareToken", "VerifySoftwareToken")),
    "UserResourceRead": (50, ("AdminGetDevice", "AdminListDevices", "AdminListGroupsForUser",
                              "AdminListUserAuthEvents", "GetDevice", "ListDevices",
                              "GetUserAttributeVerificationCode", "ResendConfirmationCode")),
    "UserResourceUpdate": (25, ("AdminAddUserToGroup", "AdminRemoveUserFromGroup", "AdminForgetDevice",
                                "AdminUpdateDeviceStatus", "AdminUpdateAuthEventFeedback", "ConfirmDevice",
                                "ForgetDevice", "UpdateDeviceStatus", "UpdateAuthEventFeedback")),
    "UserList": (30, ("ListUsers", "ListUsersInGroup")),
    "UserToken": (120, ("RevokeToken",)),
    "UserPoolRead": (15, ("DescribeUserPool", "ListUserPools", "GetUserPoolMfaConfig")),
    "UserPoolUpdate": (15, ("CreateUserPool", "UpdateUserPool", "DeleteUserPool", "AddCustomAttributes",
                            "SetUserPoolMfaConfig")),
    "UserPoolResourceRead": (20, ("GetGroup", "ListGroups")),
    "UserPoolResourceUpdate": (15, ("CreateGroup", "UpdateGroup", "DeleteGroup")),
    "UserPoolClientRead": (15, ("DescribeUserPoolClient", "ListUserPoolClients")),
    "UserPoolClientUpdate": (15, ("CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient")),
}
# "Operation special handling": RespondToAuthChallenge and AdminRespondToAuthChallenge have their
# own quota, three times UserAuthentication's; beyond it, the excess counts towards UserAuthentication.
CHALLENGE_BUCKET = "RespondToAuthChallenge"
CHALLENGE_OPERATIONS = ("RespondToAuthChallenge", "AdminRespondToAuthChallenge")

CATEGORY_OF = {op: category for category, (_, ops) in CATEGORIES.items() for op in ops}
CATEGORY_OF.update({op: CHALLENGE_BUCKET for op in CHALLENGE_OPERATIONS})


def options_from_env():
    """SEEDTEST_COGNITO_QUOTAS, the per-bucket rates and the burst; reported by /_seedtest/health."""
    on = _env_flag("SEEDTEST_COGNITO_QUOTAS")
    rates = {category: _env_number(f"SEEDTEST_COGNITO_QUOTA_{category.upper()}", float(rps))
             for category, (rps, _) in CATEGORIES.items()}
    rates[CHALLENGE_BUCKET] = _env_number(f"SEEDTEST_COGNITO_QUOTA_{CHALLENGE_BUCKET.upper()}",
                                        3 * rates["UserAuthentication"])
    return {"cognitoQuotas": on, "cognitoQuotaRates": rates,
            "cognitoQuotaBurstSeconds": _env_number("SEEDTEST_COGNITO_QUOTA_BURST_SECONDS", 1.0)}


OPTIONS = options_from_env()


class TokenBucket:
    """`rate` tokens per second, at most `capacity`; starts full. Thread-safe."""

    def __init__(self, rate, capacity):
        self.rate, self.capacity = rate, capacity
        self._tokens, self._at = capacity, time.monotonic()
        self._lock = threading.Lock()

    def take(self):
        """True (one token used) or False (empty: the request is over the quota)."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


class CognitoQuotas:
    """One bucket per category (and RespondToAuthChallenge's own), for the whole emulator."""

    def __init__(self, options):
        burst = options["cognitoQuotaBurstSeconds"]
        # capacity: `burst` seconds' worth of the rate (at least one request unless the rate is 0)
        self.buckets = {name: TokenBucket(rate, max(rate * burst, 1.0 if rate > 0 else 0.0))
                        for name, rate in options["cognitoQuotaRates"].items()}

    def allows(self, operation):
        """False when `operation` (a cognito-idp operation name) is over its quota."""
        category = CATEGORY_OF.get(operation)
        if category is None:
            return True  # not in the table: never throttled
        if self.buckets[category].take():
            return True
        if category == CHALLENGE_BUCKET:  # the excess counts towards UserAuthentication
            return self.buckets["UserAuthentication"].take()
        return False


QUOTAS = None  # set by install() when the option is on


def install():
    """Patch q: build the buckets when SEEDTEST_COGNITO_QUOTAS is on (launcher.py consults QUOTAS)."""
    global QUOTAS
    QUOTAS = CognitoQuotas(OPTIONS) if OPTIONS["cognitoQuotas"] else None


def throttles(request):
    """True when this AwsRequest (launcher.describe_aws_request) is over a Cognito quota."""
    if QUOTAS is None:
        return False
    service, _, operation = request.key.partition(":")
    return service == "cognito-idp" and not QUOTAS.allows(operation)
