//! Constant-time modular exponentiation by aws-lc's Montgomery code.
//!
//! aws-lc is already linked into the addon (the AWS SDK's TLS uses it), so this costs no size.
//! SRP's one exponentiation with a base nobody knows in advance, `S`, runs here: aws-lc's
//! x86_64 assembly (mulx/adx) multiplies 3072-bit numbers about twice as fast as crypto-bigint's
//! portable code, and S is most of the client's work in a sign-in (measured: 4.6 -> 2.3 ms for a
//! 513-bit exponent on the bench machine). `BN_mod_exp_mont_consttime` runs over every bit the
//! exponent's *length* allows, so the time depends on the lengths passed in, never the values.
//!
//! The unsafe code is confined to this file: owned handles freed (secrets cleared) on drop,
//! every aws-lc return value checked.

use std::ptr::{self, NonNull};

use aws_lc_sys as ffi;
use zeroize::Zeroizing;

/// An owned aws-lc BIGNUM, cleared and freed on drop.
struct Big(NonNull<ffi::BIGNUM>);

impl Big {
    fn empty() -> Option<Big> {
        // SAFETY: BN_new has no preconditions; NULL (allocation failure) is handled.
        NonNull::new(unsafe { ffi::BN_new() }).map(Big)
    }

    /// The unsigned big-endian number in `bytes`; its width (so the time of operations on it)
    /// follows `bytes.len()`, not the value.
    fn from_be(bytes: &[u8]) -> Option<Big> {
        // SAFETY: `bytes` is valid for reads of its length; a NULL `ret` asks for a new BIGNUM.
        NonNull::new(unsafe { ffi::BN_bin2bn(bytes.as_ptr(), bytes.len(), ptr::null_mut()) }).map(Big)
    }
}

impl Drop for Big {
    fn drop(&mut self) {
        // SAFETY: we own the BIGNUM; nothing else frees it.
        unsafe { ffi::BN_clear_free(self.0.as_ptr()) }
    }
}

/// An owned BN_CTX (aws-lc's scratch space for one operation).
struct Scratch(NonNull<ffi::BN_CTX>);

impl Scratch {
    fn new() -> Option<Scratch> {
        // SAFETY: no preconditions; NULL is handled.
        NonNull::new(unsafe { ffi::BN_CTX_new() }).map(Scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // SAFETY: we own it.
        unsafe { ffi::BN_CTX_free(self.0.as_ptr()) }
    }
}

/// A public odd modulus with its Montgomery context, set up once and then only read.
pub struct Modulus {
    n: Big,
    mont: NonNull<ffi::BN_MONT_CTX>,
    bytes: usize,
}

// SAFETY: `n` and `mont` are written only in `new`; afterwards aws-lc only reads them (they are
// passed as const pointers), which aws-lc allows from several threads at once.
unsafe impl Send for Modulus {}
unsafe impl Sync for Modulus {}

impl Modulus {
    /// The modulus in big-endian bytes (odd, as Montgomery arithmetic needs).
    pub fn new(be: &[u8]) -> Option<Modulus> {
        let n = Big::from_be(be)?;
        let scratch = Scratch::new()?;
        // SAFETY: `n` and `scratch` are valid; the result is owned by the returned Modulus.
        let mont = NonNull::new(unsafe { ffi::BN_MONT_CTX_new_for_modulus(n.0.as_ptr(), scratch.0.as_ptr()) })?;
        Some(Modulus { n, mont, bytes: be.len() })
    }

    /// `base^exponent mod n`, big-endian in and out (the result padded to the modulus' length).
    /// `base` must be below the modulus. `None` if aws-lc refuses (unreduced base, no memory).
    pub fn pow(&self, base: &[u8], exponent: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let scratch = Scratch::new()?;
        let (base, exponent, result) = (Big::from_be(base)?, Big::from_be(exponent)?, Big::empty()?);
        // SAFETY: every pointer is a live BIGNUM / BN_CTX / BN_MONT_CTX we own; `result` is
        // distinct from the inputs; `mont` was made for `n`.
        let ok = unsafe {
            ffi::BN_mod_exp_mont_consttime(
                result.0.as_ptr(),
                base.0.as_ptr(),
                exponent.0.as_ptr(),
                self.n.0.as_ptr(),
                scratch.0.as_ptr(),
                self.mont.as_ptr(),
            )
        };
        if ok != 1 {
            return None;
        }
        let mut out = Zeroizing::new(vec![0u8; self.bytes]);
        // SAFETY: `out` is valid for writes of its length.
        let ok = unsafe { ffi::BN_bn2bin_padded(out.as_mut_ptr(), out.len(), result.0.as_ptr()) };
        (ok == 1).then_some(out)
    }
}

impl Drop for Modulus {
    fn drop(&mut self) {
        // SAFETY: we own the context; `n` frees itself.
        unsafe { ffi::BN_MONT_CTX_free(self.mont.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_powers_are_right() {
        let m = Modulus::new(&[0x03, 0xe9]).unwrap(); // 1001 = 7 * 11 * 13
        let pow = |b: u16, e: &[u8]| u16::from_be_bytes(m.pow(&b.to_be_bytes(), e).unwrap()[..].try_into().unwrap());
        assert_eq!(pow(2, &[10]), 1024 % 1001);
        assert_eq!(pow(5, &[0, 0, 3]), 125, "leading zero bytes change nothing but the time");
        assert_eq!(pow(123, &[0]), 1);
        assert_eq!(pow(0, &[7]), 0);
    }

    #[test]
    fn an_unreduced_base_is_refused() {
        let m = Modulus::new(&[0x03, 0xe9]).unwrap();
        assert!(m.pow(&[0x03, 0xe9], &[2]).is_none());
        assert!(m.pow(&[0x07, 0x00], &[2]).is_none());
    }
}
