//! Salesforce record ids: 15 case-sensitive characters plus a 3-character
//! case-safe suffix, so an 18-character id survives case-insensitive systems.
//!
//! Our ids encode the row number of the record in its table, so looking a
//! record up by id needs no index (and no memory) at all.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
/// Pod and reserved characters that sit between the key prefix and the serial
/// number in real ids (`0035500001H9dBL…`).
const POD: &str = "5g0";
/// Row 0 is not id `…000000000`: real serials are large, and clients that
/// sniff ids should see a realistic shape.
const SERIAL_OFFSET: u64 = 62u64.pow(5) * 7;
const SERIAL_LEN: usize = 9;

/// The 3-character suffix Salesforce appends to turn a 15-character id into 18.
fn suffix(id15: &[u8]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (chunk_no, chunk) in id15.chunks(5).enumerate().take(3) {
        let mut bits = 0usize;
        for (i, c) in chunk.iter().enumerate() {
            if c.is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        out[chunk_no] = SUFFIX[bits];
    }
    out
}

/// Builds the 18-character id of row `row` of the object with `key_prefix`.
pub fn make_id(key_prefix: &str, row: u64) -> String {
    let mut serial = [b'0'; SERIAL_LEN];
    let mut n = row + SERIAL_OFFSET;
    for slot in serial.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let mut id = String::with_capacity(18);
    id.push_str(key_prefix);
    id.push_str(POD);
    id.extend(serial.iter().map(|&b| b as char));
    let sfx = suffix(id.as_bytes());
    id.extend(sfx.iter().map(|&b| b as char));
    id
}

/// Why an id could not be resolved to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Not 15/18 alphanumeric characters, or a wrong 18-character suffix.
    Malformed,
    /// Well formed, but not an id this object could have issued.
    Unknown,
}

/// Returns the row number encoded in a 15- or 18-character id of `key_prefix`.
pub fn parse_id(key_prefix: &str, id: &str) -> Result<u64, IdError> {
    let bytes = id.as_bytes();
    if !(bytes.len() == 15 || bytes.len() == 18) || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return Err(IdError::Malformed);
    }
    // The suffix is case-insensitive by design; compare it that way.
    if bytes.len() == 18 && !suffix(&bytes[..15]).eq_ignore_ascii_case(&bytes[15..]) {
        return Err(IdError::Malformed);
    }
    let head = &id[..15];
    if !head.starts_with(key_prefix) || &head[3..6] != POD {
        return Err(IdError::Unknown);
    }
    let mut n: u64 = 0;
    for &c in &bytes[6..15] {
        let digit = BASE62
            .iter()
            .position(|&d| d == c)
            .ok_or(IdError::Malformed)? as u64;
        n = n
            .checked_mul(62)
            .and_then(|n| n.checked_add(digit))
            .ok_or(IdError::Unknown)?;
    }
    n.checked_sub(SERIAL_OFFSET).ok_or(IdError::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_salesforce_id_gets_its_real_suffix() {
        // From the recorded query: 15-char head and Salesforce's own 18-char form.
        assert_eq!(&suffix(b"0035500001H9dBL"), b"AAZ");
        assert_eq!(&suffix(b"0035500001H9dBa"), b"AAJ");
    }

    #[test]
    fn ids_round_trip_in_15_and_18_characters() {
        for row in [0u64, 1, 61, 62, 999_999, 5_000_000] {
            let id = make_id("003", row);
            assert_eq!(id.len(), 18);
            assert_eq!(parse_id("003", &id), Ok(row));
            assert_eq!(parse_id("003", &id[..15]), Ok(row));
        }
    }

    #[test]
    fn wrong_prefix_bad_suffix_and_junk_are_rejected() {
        let id = make_id("003", 5);
        assert_eq!(parse_id("00Q", &id), Err(IdError::Unknown));
        let mut bad = id.clone();
        bad.replace_range(15..18, "ZZZ");
        assert_eq!(parse_id("003", &bad), Err(IdError::Malformed));
        assert_eq!(parse_id("003", "not-an-id"), Err(IdError::Malformed));
    }
}
