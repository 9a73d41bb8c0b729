"""Cognito's SRP (USER_SRP_AUTH), both sides, in plain Python. Test harness only.

Used by launcher.py (patch e plays the server) and by selftest_checks.py (the client). The
maths is aws-amplify's (upstream-behavior.md section 9): SRP-6a over the RFC 5054 3072-bit
group, g = 2, H = SHA-256, PAD = aws-amplify's getPaddedHex (even-length hex, `00` in front
when the top bit is set), k = H(PAD(N) || PAD(g)), x = H(PAD(salt) || H(poolName || userId ||
":" || password)), u = H(PAD(A) || PAD(B)), key = HKDF(ikm = PAD(S), salt = PAD(u),
info = "Caldera Derived Key" || 0x01)[:16], signature = base64(HMAC-SHA256(key, poolName ||
userId || secretBlockBytes || timestamp)). `known_answer()` replays the spec's vector.

Client API (reusable by tests):
    a, A = client_start()                         # random a (128 bytes), A = g^a mod N
    params = InitiateAuth(..., {"USERNAME": u, "SRP_A": format(A, "x")})["ChallengeParameters"]
    responses = client_challenge_responses(pool_id, password, a, A, params)
    RespondToAuthChallenge(ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses)
or in one go with a boto3 cognito-idp client: `srp_sign_in(idp, client_id, pool_id, username,
password)` -> the RespondToAuthChallenge response.
"""

import base64
import datetime
import functools
import hashlib
import hmac
import re
import secrets
import threading

try:  # GMP does a 3072-bit modexp ~8x faster than Python's pow; the emulator's SRP is on every sign-in
    import gmpy2

    big = gmpy2.mpz

    def modpow(base, exponent, modulus):
        return int(gmpy2.powmod(base, exponent, modulus))

    def release_gil():
        """Let GMP run without the GIL in the calling thread (gmpy2 contexts are per thread)."""
        gmpy2.get_context().allow_release_gil = True
except ImportError:  # same results, only slower
    big = int
    modpow = pow

    def release_gil():
        pass

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key\x01"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # datetime.weekday() order
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TIMESTAMP_RE = re.compile(r"([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{1,2}) (\d\d):(\d\d):(\d\d) UTC (\d{4})")


def pad_hex(value):
    """aws-amplify getPaddedHex for a non-negative int: even length, `00` prefix if the top bit is set."""
    text = format(value, "x")
    if len(text) % 2:
        text = "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def padded_bytes(value):
    return bytes.fromhex(pad_hex(value))


def _h(data):
    return hashlib.sha256(data).digest()


def _int(data):
    return int.from_bytes(data, "big")


K = _int(_h(padded_bytes(N) + padded_bytes(G)))


class FixedBasePower:
    """base^e mod N for exponents below 2^bits by table lookup: table[i][d] = base^(d * 2^(w*i)),
    so a power is one multiplication per w-bit digit of e, no squarings (~0.1 ms for a 256-bit e
    against ~0.9 ms for GMP's powmod). Built on first use: ~8k multiplications, ~3 MB. For the
    server's g^b and g^x, whose exponents are 256 bits; wider ones go to modpow."""

    def __init__(self, base, modulus, bits=256, window=8):
        self.base, self.modulus, self.bits, self.window = base, modulus, bits, window
        self._table = None
        self._lock = threading.Lock()

    def _built(self):
        with self._lock:
            if self._table is None:
                table, step = [], big(self.base)
                for _ in range(-(-self.bits // self.window)):
                    row = [big(1), step]
                    for _ in range(2, 1 << self.window):
                        row.append(row[-1] * step % self.modulus)
                    table.append(row)
                    step = row[-1] * step % self.modulus  # base^(2^(w*(i+1)))
                self._table = table
            return self._table

    def __call__(self, exponent):
        if exponent < 0 or exponent.bit_length() > self.bits:
            return modpow(self.base, exponent, self.modulus)
        result, mask = big(1), (1 << self.window) - 1
        for row in self._built():
            digit = exponent & mask
            if digit:
                result = result * row[digit] % self.modulus
            exponent >>= self.window
        return int(result)


g_power = FixedBasePower(G, N)


def pool_name_of(pool_id):
    """`us-east-1_AbCdEf` -> `AbCdEf` (the part after `_`)."""
    return pool_id.split("_", 1)[1]


def compute_x(pool_name, user_id, password, salt):
    inner = _h(f"{pool_name}{user_id}:{password}".encode())
    return _int(_h(padded_bytes(salt) + inner))


def compute_u(A, B):
    return _int(_h(padded_bytes(A) + padded_bytes(B)))


def hkdf_key(S, u):
    prk = hmac.new(padded_bytes(u), padded_bytes(S), hashlib.sha256).digest()
    return hmac.new(prk, INFO, hashlib.sha256).digest()[:16]


def decode_secret_block(secret_block):
    """Like aws-amplify's urlB64ToUint8Array: pads, accepts the URL-safe alphabet."""
    text = secret_block + "=" * (-len(secret_block) % 4)
    return base64.b64decode(text.replace("-", "+").replace("_", "/"))


def password_claim_signature(key, pool_name, user_id, secret_block, timestamp):
    message = pool_name.encode() + user_id.encode() + decode_secret_block(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def cognito_timestamp(moment=None):
    """`Mon Jan 5 09:04:03 UTC 2026` (English names, day not padded), like aws-amplify's getNowString."""
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    return (f"{WEEKDAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day} "
            f"{moment:%H:%M:%S} UTC {moment.year}")


def is_canonical_timestamp(text):
    """True when `text` is exactly what cognito_timestamp() gives for the moment it names (so a
    padded day `Jan 05`, a wrong weekday or an impossible date are not)."""
    match = TIMESTAMP_RE.fullmatch(text or "")
    if not match or match.group(2) not in MONTHS:
        return False
    _, month, day, hh, mm, ss, year = match.groups()
    try:
        moment = datetime.datetime(int(year), MONTHS.index(month) + 1, int(day), int(hh), int(mm), int(ss))
    except ValueError:
        return False
    return cognito_timestamp(moment) == text


# --------------------------------------------------------------------------- server side


@functools.lru_cache(maxsize=4096)
def server_verifier(pool_name, user_id, password, salt):
    """v = g^x mod N (what Cognito stores instead of the password; cached, as Cognito stores it)."""
    return g_power(compute_x(pool_name, user_id, password, salt))


def server_start(v, b=None):
    """-> (b, B) with B = (k*v + g^b) mod N, never 0 mod N."""
    while True:
        b = b or secrets.randbits(256)  # RFC 5054: at least 256 bits
        B = (K * v + g_power(b)) % N
        if B:
            return b, B
        b = None


def server_key(A, B, b, v):
    """HKDF key from S = (A * v^u)^b mod N; the caller has rejected A % N == 0."""
    u = compute_u(A, B)
    S = modpow(A * modpow(v, u, N) % N, b, N)
    return hkdf_key(S, u)


# --------------------------------------------------------------------------- client side


def client_start(a=None):
    """-> (a, A) with A = g^a mod N; a is 128 random bytes as in aws-amplify."""
    a = a if a is not None else _int(secrets.token_bytes(128))
    return a, modpow(G, a, N)


def client_key(pool_name, user_id, password, salt, a, A, B):
    """HKDF key from S = (B - k*g^x)^(a + u*x) mod N."""
    if B % N == 0:
        raise ValueError("B cannot be zero.")
    u = compute_u(A, B)
    if u == 0:
        raise ValueError("U cannot be zero.")
    x = compute_x(pool_name, user_id, password, salt)
    S = modpow((B - K * modpow(G, x, N)) % N, a + u * x, N)
    return hkdf_key(S, u)


def client_challenge_responses(pool_id, password, a, A, challenge_parameters, timestamp=None, username=None):
    """PASSWORD_VERIFIER ChallengeResponses as aws-amplify builds them (USERNAME = USER_ID_FOR_SRP
    unless `username` is given)."""
    params = challenge_parameters
    pool_name = pool_name_of(pool_id)
    user_id = params["USER_ID_FOR_SRP"]
    key = client_key(pool_name, user_id, password, int(params["SALT"], 16), a, A, int(params["SRP_B"], 16))
    timestamp = timestamp or cognito_timestamp()
    return {
        "USERNAME": username or user_id,
        "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
        "TIMESTAMP": timestamp,
        "PASSWORD_CLAIM_SIGNATURE": password_claim_signature(key, pool_name, user_id, params["SECRET_BLOCK"],
                                                             timestamp),
    }


def srp_sign_in(idp, client_id, pool_id, username, password, *, timestamp=None, respond_as=None, tamper=None):
    """InitiateAuth(USER_SRP_AUTH) + RespondToAuthChallenge(PASSWORD_VERIFIER) with a boto3
    cognito-idp client; returns the second response (tokens or the next challenge). `respond_as`
    overrides ChallengeResponses.USERNAME; `tamper(responses)` may edit the responses first."""
    a, A = client_start()
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": username, "SRP_A": format(A, "x")})
    responses = client_challenge_responses(pool_id, password, a, A, first["ChallengeParameters"],
                                           timestamp=timestamp, username=respond_as)
    if tamper:
        tamper(responses)
    extra = {"Session": first["Session"]} if first.get("Session") else {}
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=responses, **extra)


# --------------------------------------------------------------------------- known answer


KNOWN_ANSWER = {  # upstream-behavior.md section 9, computed with aws-amplify's own SRP code
    "pool_name": "AbCdEfGhI", "user_id": "user-id-for-srp", "password": "P@ssw0rd!",
    "a": _int(b"\x37" * 128), "B": _int(b"\x5f" * 384) % N, "salt": 0x0a1b2c3d4e5f60718293a4b5c6d7e8f9,
    "secret_block": base64.b64encode(b"secret-block-bytes").decode(), "timestamp": "Mon Jan 5 09:04:03 UTC 2026",
    "key": "b9b3eeab2532c593948445b65b8c6091", "signature": "4VO2z7Ww9NtzmcdZMi/k5bOG5/BnUt1gKCIDXWcuteo=",
}


def known_answer():
    """-> (key hex, signature) the client computes for KNOWN_ANSWER's inputs."""
    v = KNOWN_ANSWER
    a, A = client_start(v["a"])
    key = client_key(v["pool_name"], v["user_id"], v["password"], v["salt"], a, A, v["B"])
    return key.hex(), password_claim_signature(key, v["pool_name"], v["user_id"], v["secret_block"], v["timestamp"])


if __name__ == "__main__":
    got = known_answer()
    want = (KNOWN_ANSWER["key"], KNOWN_ANSWER["signature"])
    print("known answer:", "ok" if got == want else f"MISMATCH {got} != {want}")
