// Test wiring only (loaded with `node --import`): aws-amplify JS ignores AWS_ENDPOINT_URL and
// calls the real AWS hosts with the global fetch. This sends those calls to the local
// emulator named by SEED_TEST_AWS_ENDPOINT instead, turning virtual-hosted S3 into
// path-style. The product itself never patches fetch.
const endpoint = process.env.SEED_TEST_AWS_ENDPOINT;

if (endpoint) {
  const realFetch = globalThis.fetch;
  const target = new URL(endpoint);

  const rewrite = (url) => {
    const u = new URL(url);
    if (!u.hostname.endsWith(".amazonaws.com")) return null;
    const s3VirtualHost = u.hostname.match(/^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/);
    const rewritten = new URL(target);
    rewritten.pathname = s3VirtualHost ? `/${s3VirtualHost[1]}${u.pathname}` : u.pathname;
    rewritten.search = u.search;
    return rewritten;
  };

  globalThis.fetch = async (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = rewrite(request ? request.url : String(input));
    if (!url) return realFetch(input, init);
    if (request) return realFetch(new Request(url, request), init);
    return realFetch(url, init);
  };
}
