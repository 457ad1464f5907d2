//! Small value types for ClickHouse scalars that have no std equivalent: 256-bit integers,
//! exact decimals and UUIDs. No arithmetic beyond what conversion and printing need.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Error of the `FromStr` impls in this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub(crate) &'static str);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for ParseError {}

/// 256-bit magnitude as four little-endian u64 limbs (internal helper).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Limbs(pub(crate) [u64; 4]);

impl Limbs {
    pub(crate) fn from_le(b: &[u8; 32]) -> Limbs {
        let mut l = [0u64; 4];
        for (i, limb) in l.iter_mut().enumerate() {
            *limb = u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or_default());
        }
        Limbs(l)
    }
    pub(crate) fn to_le(self) -> [u8; 32] {
        let mut b = [0u8; 32];
        for (i, limb) in self.0.iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(&limb.to_le_bytes());
        }
        b
    }
    pub(crate) fn from_u128(v: u128) -> Limbs {
        Limbs([v as u64, (v >> 64) as u64, 0, 0])
    }
    pub(crate) fn is_zero(self) -> bool {
        self.0 == [0; 4]
    }
    /// Two's complement negation (wrapping).
    pub(crate) fn neg(self) -> Limbs {
        let mut out = [0u64; 4];
        let mut carry = 1u128;
        for (o, l) in out.iter_mut().zip(self.0) {
            let s = u128::from(!l) + carry;
            *o = s as u64;
            carry = s >> 64;
        }
        Limbs(out)
    }
    /// Number of significant bits.
    pub(crate) fn bits(self) -> u32 {
        for i in (0..4).rev() {
            if self.0[i] != 0 {
                return 64 * i as u32 + 64 - self.0[i].leading_zeros();
            }
        }
        0
    }
    /// Divides in place by `d`, returns the remainder.
    fn div_small(&mut self, d: u64) -> u64 {
        let mut rem = 0u128;
        for limb in self.0.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / u128::from(d)) as u64;
            rem = cur % u128::from(d);
        }
        rem as u64
    }
    /// self * m + a, None on overflow of 256 bits.
    fn mul_add(self, m: u64, a: u64) -> Option<Limbs> {
        let mut out = [0u64; 4];
        let mut carry = u128::from(a);
        for (o, l) in out.iter_mut().zip(self.0) {
            let p = u128::from(l) * u128::from(m) + carry;
            *o = p as u64;
            carry = p >> 64;
        }
        (carry == 0).then_some(Limbs(out))
    }
    pub(crate) fn to_decimal_string(self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut x = self;
        let mut chunks = Vec::new();
        while !x.is_zero() {
            chunks.push(x.div_small(10_000_000_000_000_000_000));
        }
        let mut s = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:019}"));
        }
        s
    }
    /// Parses ASCII digits (no sign); None on empty input, another character or overflow.
    pub(crate) fn parse_digits(s: &str) -> Option<Limbs> {
        if s.is_empty() {
            return None;
        }
        let mut x = Limbs::default();
        for c in s.bytes() {
            if !c.is_ascii_digit() {
                return None;
            }
            x = x.mul_add(10, u64::from(c - b'0'))?;
        }
        Some(x)
    }
    fn cmp(self, other: Limbs) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

/// A ClickHouse `Int256`: 32 bytes, little-endian two's complement (the wire layout).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct I256(pub [u8; 32]);

/// A ClickHouse `UInt256`: 32 bytes, little-endian (the wire layout).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256(pub [u8; 32]);

impl I256 {
    pub const fn from_le_bytes(b: [u8; 32]) -> I256 {
        I256(b)
    }
    pub const fn to_le_bytes(self) -> [u8; 32] {
        self.0
    }
    pub fn is_negative(&self) -> bool {
        self.0[31] & 0x80 != 0
    }
    /// The value as i128 if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        let low = i128::from_le_bytes(self.0[..16].try_into().ok()?);
        let fill = if low < 0 { 0xff } else { 0 };
        self.0[16..].iter().all(|&b| b == fill).then_some(low)
    }
    /// Sign and magnitude.
    pub(crate) fn parts(&self) -> (bool, Limbs) {
        let l = Limbs::from_le(&self.0);
        if self.is_negative() {
            (true, l.neg())
        } else {
            (false, l)
        }
    }
    /// From sign and magnitude; None if it does not fit.
    pub(crate) fn from_parts(neg: bool, mag: Limbs) -> Option<I256> {
        let limit = Limbs([0, 0, 0, 1 << 63]);
        match (neg, mag.cmp(limit)) {
            (false, Ordering::Less) => Some(I256(mag.to_le())),
            (true, Ordering::Less | Ordering::Equal) => Some(I256(mag.neg().to_le())),
            _ => None,
        }
    }
}

impl U256 {
    pub const fn from_le_bytes(b: [u8; 32]) -> U256 {
        U256(b)
    }
    pub const fn to_le_bytes(self) -> [u8; 32] {
        self.0
    }
    /// The value as u128 if it fits.
    pub fn to_u128(&self) -> Option<u128> {
        self.0[16..].iter().all(|&b| b == 0).then(|| u128::from_le_bytes(self.0[..16].try_into().unwrap_or_default()))
    }
}

impl From<i128> for I256 {
    fn from(v: i128) -> I256 {
        let mut b = [if v < 0 { 0xff } else { 0 }; 32];
        b[..16].copy_from_slice(&v.to_le_bytes());
        I256(b)
    }
}
impl From<i64> for I256 {
    fn from(v: i64) -> I256 {
        I256::from(i128::from(v))
    }
}
impl From<u128> for U256 {
    fn from(v: u128) -> U256 {
        U256(Limbs::from_u128(v).to_le())
    }
}
impl From<u64> for U256 {
    fn from(v: u64) -> U256 {
        U256::from(u128::from(v))
    }
}

impl fmt::Display for I256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (neg, mag) = self.parts();
        let digits = mag.to_decimal_string();
        f.pad_integral(!neg, "", &digits)
    }
}
impl fmt::Display for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad_integral(true, "", &Limbs::from_le(&self.0).to_decimal_string())
    }
}
impl fmt::Debug for I256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "I256({self})")
    }
}
impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256({self})")
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

impl FromStr for I256 {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<I256, ParseError> {
        let (neg, digits) = split_sign(s);
        let mag = Limbs::parse_digits(digits).ok_or(ParseError("invalid Int256"))?;
        I256::from_parts(neg, mag).ok_or(ParseError("Int256 out of range"))
    }
}
impl FromStr for U256 {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<U256, ParseError> {
        let digits = s.strip_prefix('+').unwrap_or(s);
        Limbs::parse_digits(digits).map(|l| U256(l.to_le())).ok_or(ParseError("invalid UInt256"))
    }
}

/// An exact decimal: `unscaled * 10^-scale` (every ClickHouse Decimal width fits the 256-bit
/// unscaled value). `Display` prints exactly `scale` fraction digits, as ClickHouse does:
/// `Decimal::new(-12500, 3)` is `-12.500`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Decimal {
    pub unscaled: I256,
    pub scale: u32,
}

impl Decimal {
    pub fn new(unscaled: i128, scale: u32) -> Decimal {
        Decimal { unscaled: I256::from(unscaled), scale }
    }
    pub fn from_i256(unscaled: I256, scale: u32) -> Decimal {
        Decimal { unscaled, scale }
    }
    /// The unscaled value as i128 if it fits (always for Decimal32/64/128).
    pub fn unscaled_i128(&self) -> Option<i128> {
        self.unscaled.to_i128()
    }
    /// Nearest f64 (through the decimal text).
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }
    /// Sign and the digits of the magnitude of the unscaled value.
    pub(crate) fn sign_digits(&self) -> (bool, String) {
        let (neg, mag) = self.unscaled.parts();
        (neg && !mag.is_zero(), mag.to_decimal_string())
    }
    /// The same number with another scale, None if digits would be lost or it overflows.
    pub fn rescale(&self, scale: u32) -> Option<Decimal> {
        let (neg, mut digits) = self.sign_digits();
        if scale >= self.scale {
            digits.extend(std::iter::repeat_n('0', (scale - self.scale) as usize));
        } else {
            let cut = (self.scale - scale) as usize;
            if digits == "0" {
            } else if digits.len() > cut && digits[digits.len() - cut..].bytes().all(|b| b == b'0') {
                digits.truncate(digits.len() - cut);
            } else {
                return None;
            }
        }
        let mag = Limbs::parse_digits(&digits)?;
        Some(Decimal { unscaled: I256::from_parts(neg, mag)?, scale })
    }
    /// Number of significant digits of the unscaled value (0 has 1).
    pub fn digits(&self) -> usize {
        self.sign_digits().1.len()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (neg, digits) = self.sign_digits();
        let scale = self.scale as usize;
        let s = if scale == 0 {
            digits
        } else {
            let padded = format!("{digits:0>width$}", width = scale + 1);
            let (int, frac) = padded.split_at(padded.len() - scale);
            format!("{int}.{frac}")
        };
        f.pad_integral(!neg, "", &s)
    }
}

impl FromStr for Decimal {
    type Err = ParseError;
    /// Plain decimal text: `-123.45`, `7`, `.5`; the scale is the number of fraction digits.
    fn from_str(s: &str) -> Result<Decimal, ParseError> {
        let bad = ParseError("invalid decimal");
        let (neg, rest) = split_sign(s);
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(bad);
        }
        let mag = Limbs::parse_digits(&format!("{int}{frac}")).ok_or(bad)?;
        let unscaled = I256::from_parts(neg, mag).ok_or(ParseError("decimal out of range"))?;
        Ok(Decimal { unscaled, scale: frac.len() as u32 })
    }
}

/// A UUID in RFC 4122 byte order (the order of its text form). ClickHouse stores it as two
/// little-endian UInt64 halves, high half first; [`Uuid::from_clickhouse`] / [`Uuid::to_clickhouse`]
/// convert.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// From the 16 wire bytes of a ClickHouse UUID column.
    pub fn from_clickhouse(wire: [u8; 16]) -> Uuid {
        let mut b = [0u8; 16];
        for i in 0..8 {
            b[i] = wire[7 - i];
            b[8 + i] = wire[15 - i];
        }
        Uuid(b)
    }
    /// The 16 wire bytes for a ClickHouse UUID column.
    pub fn to_clickhouse(self) -> [u8; 16] {
        // The byte swap within each half is its own inverse.
        Uuid::from_clickhouse(self.0).0
    }
    pub fn as_u128(self) -> u128 {
        u128::from_be_bytes(self.0)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}
impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

impl FromStr for Uuid {
    type Err = ParseError;
    /// The canonical 36-character form (hex digits in either case), or 32 hex digits.
    fn from_str(s: &str) -> Result<Uuid, ParseError> {
        let bad = ParseError("invalid UUID");
        let hex: Vec<u8> = if s.len() == 36 {
            let b = s.as_bytes();
            if [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
                return Err(bad);
            }
            s.bytes().filter(|&c| c != b'-').collect()
        } else {
            s.bytes().collect()
        };
        if hex.len() != 32 {
            return Err(bad);
        }
        let mut out = [0u8; 16];
        for (i, pair) in hex.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16).ok_or(bad.clone());
            out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
        }
        Ok(Uuid(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_integers_print_and_parse() {
        assert_eq!(I256::from(-1i64).to_string(), "-1");
        assert_eq!(I256::from(i128::MIN).to_string(), i128::MIN.to_string());
        let max = I256::from_str("57896044618658097711785492504343953926634992332820282019728792003956564819967")
            .expect("max");
        assert_eq!(max.0[31], 0x7f);
        assert!(max.0[..31].iter().all(|&b| b == 0xff));
        let min = I256::from_str("-57896044618658097711785492504343953926634992332820282019728792003956564819968")
            .expect("min");
        assert_eq!(min.0[31], 0x80);
        assert_eq!(min.to_string(), "-57896044618658097711785492504343953926634992332820282019728792003956564819968");
        assert!(
            I256::from_str("57896044618658097711785492504343953926634992332820282019728792003956564819968").is_err()
        );
        let umax = U256([0xff; 32]);
        assert_eq!(umax.to_string(), "115792089237316195423570985008687907853269984665640564039457584007913129639935");
        assert_eq!(U256::from_str(&umax.to_string()), Ok(umax));
        assert_eq!(U256::from(u128::MAX).to_u128(), Some(u128::MAX));
        assert_eq!(umax.to_u128(), None);
        assert_eq!(I256::from(-5i64).to_i128(), Some(-5));
        assert_eq!(format!("{:>5}", I256::from(-7i64)), "   -7");
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(Decimal::new(-12500, 3).to_string(), "-12.500");
        assert_eq!(Decimal::new(5, 2).to_string(), "0.05");
        assert_eq!(Decimal::new(-5, 2).to_string(), "-0.05");
        assert_eq!(Decimal::new(0, 0).to_string(), "0");
        assert_eq!(Decimal::new(123, 0).to_string(), "123");
        assert_eq!("-1.50".parse::<Decimal>(), Ok(Decimal::new(-150, 2)));
        assert_eq!(".5".parse::<Decimal>(), Ok(Decimal::new(5, 1)));
        assert!("1.2.3".parse::<Decimal>().is_err());
        assert_eq!(Decimal::new(150, 2).rescale(1), Some(Decimal::new(15, 1)));
        assert_eq!(Decimal::new(151, 2).rescale(1), None);
        assert_eq!(Decimal::new(-15, 1).rescale(4), Some(Decimal::new(-15000, 4)));
        assert_eq!(Decimal::new(0, 3).rescale(0), Some(Decimal::new(0, 0)));
        assert_eq!(Decimal::new(-12345, 2).digits(), 5);
        let big = "-9999999999999999999999999999999999999999999999999999999999999999999999999.99";
        assert_eq!(big.parse::<Decimal>().expect("Decimal256").to_string(), big);
        assert_eq!(Decimal::new(-250, 2).to_f64(), -2.5);
    }

    #[test]
    fn uuid_byte_orders() {
        let u: Uuid = "61f0c404-5cb3-11e7-907b-a6006ad3dba0".parse().expect("uuid");
        assert_eq!(u.0[0], 0x61);
        assert_eq!(u.to_string(), "61f0c404-5cb3-11e7-907b-a6006ad3dba0");
        let wire = u.to_clickhouse();
        assert_eq!(wire[..8], [0xe7, 0x11, 0xb3, 0x5c, 0x04, 0xc4, 0xf0, 0x61]);
        assert_eq!(wire[8..], [0xa0, 0xdb, 0xd3, 0x6a, 0x00, 0xa6, 0x7b, 0x90]);
        assert_eq!(Uuid::from_clickhouse(wire), u);
        assert!("61f0c404-5cb3-11e7-907b-a6006ad3dbaz".parse::<Uuid>().is_err());
        assert!("61f0c4045cb311e7907ba6006ad3dba0".parse::<Uuid>().is_ok());
    }
}
