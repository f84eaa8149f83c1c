//! Numbers as the UI shows them, the same on the server (SSR) and in the browser (hydration).

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn formatted_counts_read_back(n in 0i64..i64::MAX) {
            prop_assert_eq!(thousands(n).replace(',', "").parse::<i64>().ok(), Some(n));
        }
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(48_120), "48,120");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(-1_000), "-1,000");
    }
}
