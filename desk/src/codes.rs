//! Secrets: 查询码 and session tokens are random, and only their hashes are stored.

/// 32 letters and digits, without 0/O and 1/I (a byte's low five bits pick one: no bias).
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// `n` random characters of [`ALPHABET`].
fn random_chars(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes.iter().map(|b| ALPHABET[usize::from(*b & 31)] as char).collect()
}

/// A 查询码: 16 characters (80 bits) in groups of four, `K7QF-3M9X-…`.
pub fn lookup_code() -> String {
    let raw = random_chars(16);
    raw.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join("-")
}

/// A session or CSRF token: 32 characters.
pub fn token() -> String {
    random_chars(32)
}

/// The stored form of a code as typed: blanks and dashes dropped, upper case, hashed.
pub fn hash(code: &str) -> String {
    let norm: String =
        code.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    blake3::hash(norm.as_bytes()).to_hex().to_string()
}

/// Two hashes compared in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let c = lookup_code();
        assert_eq!(c.len(), 19);
        assert!(same(&hash(&c), &hash(&c.to_lowercase().replace('-', " "))));
        assert_ne!(hash(&c), hash(&lookup_code()));
    }
}
