//! Splits SOQL into tokens. String literals are checked for legal escapes
//! here (doc §4.3) but kept raw; see [`decode_plain`] and [`decode_like`].

use super::SoqlError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Identifiers and keywords (keywords are matched case-insensitively by the parser).
    Word(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    /// `<`, `>`, `<=`, `>=`, `:` and other symbols we lex but do not support.
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
    /// The token's source text, for "unexpected token" messages.
    pub text: String,
}

pub fn tokenize(q: &str) -> Result<Vec<Token>, SoqlError> {
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let tok = if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len()
                && (chars[i].1.is_ascii_alphanumeric() || chars[i].1 == '_' || chars[i].1 == '.')
            {
                i += 1;
            }
            Tok::Word(slice(q, &chars, start, i).to_owned())
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|(_, d)| d.is_ascii_digit()))
        {
            i += 1;
            while i < chars.len() && (chars[i].1.is_ascii_digit() || chars[i].1 == '.') {
                i += 1;
            }
            // `2024-01-01` and the like: date literals are not supported.
            if i < chars.len()
                && (chars[i].1.is_ascii_alphabetic() || chars[i].1 == '-' || chars[i].1 == ':')
            {
                return Err(SoqlError::malformed(
                    format!("unexpected token: '{}'", slice(q, &chars, start, i + 1)),
                    Some(pos),
                ));
            }
            let text = slice(q, &chars, start, i);
            Tok::Num(text.parse().map_err(|_| {
                SoqlError::malformed(format!("unexpected token: '{text}'"), Some(pos))
            })?)
        } else if c == '\'' {
            i += 1;
            let body_start = i;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(SoqlError::malformed(
                            "unexpected token: '<EOF>'",
                            Some(q.len()),
                        ))
                    }
                    Some((_, '\'')) => break,
                    Some((esc_pos, '\\')) => {
                        let ok = match chars.get(i + 1).map(|c| c.1) {
                            Some('\'' | '"' | '\\' | 'n' | 'r' | 't' | 'b' | 'f' | '_' | '%') => {
                                i += 2;
                                true
                            }
                            Some('u')
                                if (2..6).all(|k| {
                                    chars.get(i + k).is_some_and(|c| c.1.is_ascii_hexdigit())
                                }) =>
                            {
                                i += 6;
                                true
                            }
                            _ => false,
                        };
                        if !ok {
                            return Err(SoqlError::malformed(
                                "Invalid string literal. Illegal character sequence '\\' in string literal.",
                                Some(*esc_pos),
                            ));
                        }
                    }
                    Some(_) => i += 1,
                }
            }
            let body = slice(q, &chars, body_start, i).to_owned();
            i += 1;
            Tok::Str(body)
        } else {
            i += 1;
            match c {
                '(' => Tok::LParen,
                ')' => Tok::RParen,
                ',' => Tok::Comma,
                '=' => Tok::Eq,
                '!' | '<' | '>' if chars.get(i).is_some_and(|c| c.1 == '=') => {
                    i += 1;
                    if c == '!' {
                        Tok::Ne
                    } else {
                        Tok::Other(format!("{c}="))
                    }
                }
                '<' if chars.get(i).is_some_and(|c| c.1 == '>') => {
                    i += 1;
                    Tok::Ne
                }
                other => Tok::Other(other.to_string()),
            }
        };
        out.push(Token {
            tok,
            pos,
            text: slice(q, &chars, start, i).to_owned(),
        });
    }
    Ok(out)
}

fn slice<'a>(q: &'a str, chars: &[(usize, char)], from: usize, to: usize) -> &'a str {
    let a = chars.get(from).map(|c| c.0).unwrap_or(q.len());
    let b = chars.get(to).map(|c| c.0).unwrap_or(q.len());
    &q[a..b]
}

/// One piece of a decoded string literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Char(char),
    /// `_` in LIKE
    AnyOne,
    /// `%` in LIKE
    AnyMany,
}

fn decode(raw: &str, like: bool) -> Result<Vec<Piece>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        let piece = match c {
            '\\' => match it.next() {
                Some('n') => Piece::Char('\n'),
                Some('r') => Piece::Char('\r'),
                Some('t') => Piece::Char('\t'),
                Some('b') => Piece::Char('\u{8}'),
                Some('f') => Piece::Char('\u{c}'),
                Some('u') => {
                    let hex: String = it.by_ref().take(4).collect();
                    let ch = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or("bad \\u escape")?;
                    Piece::Char(ch)
                }
                Some(e @ ('_' | '%')) if like => Piece::Char(e),
                Some(e @ ('\'' | '"' | '\\')) => Piece::Char(e),
                _ => return Err(
                    "Invalid string literal. Illegal character sequence '\\' in string literal."
                        .to_owned(),
                ),
            },
            '_' if like => Piece::AnyOne,
            '%' if like => Piece::AnyMany,
            other => Piece::Char(other),
        };
        out.push(piece);
    }
    Ok(out)
}

/// Decodes a literal used with `=`/`IN`: `\_` and `\%` are errors here.
pub fn decode_plain(raw: &str) -> Result<String, String> {
    decode(raw, false).map(|pieces| {
        pieces
            .into_iter()
            .filter_map(|p| match p {
                Piece::Char(c) => Some(c),
                _ => None,
            })
            .collect()
    })
}

/// Decodes a `LIKE` pattern into characters and wildcards.
pub fn decode_like(raw: &str) -> Result<Vec<Piece>, String> {
    decode(raw, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(q: &str) -> Vec<Tok> {
        tokenize(q)
            .expect("lexes")
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn splits_words_strings_numbers_and_operators() {
        assert_eq!(
            toks("SELECT Id FROM Contact WHERE Email != 'a\\'b' AND N <> 5"),
            vec![
                Tok::Word("SELECT".into()),
                Tok::Word("Id".into()),
                Tok::Word("FROM".into()),
                Tok::Word("Contact".into()),
                Tok::Word("WHERE".into()),
                Tok::Word("Email".into()),
                Tok::Ne,
                Tok::Str("a\\'b".into()),
                Tok::Word("AND".into()),
                Tok::Word("N".into()),
                Tok::Ne,
                Tok::Num(5.0),
            ]
        );
    }

    #[test]
    fn escapes_decode_per_context() {
        assert_eq!(
            decode_plain(r"O\'Brien \\ \u0041").as_deref(),
            Ok("O'Brien \\ A")
        );
        assert!(decode_plain(r"50\%").is_err(), "\\% is legal only in LIKE");
        assert_eq!(
            decode_like(r"a\%_%").expect("decodes"),
            vec![
                Piece::Char('a'),
                Piece::Char('%'),
                Piece::AnyOne,
                Piece::AnyMany
            ]
        );
    }

    #[test]
    fn unknown_escapes_and_unterminated_strings_are_malformed() {
        assert_eq!(
            tokenize(r"SELECT Id FROM Contact WHERE Email = 'a\q'")
                .map(|_| ())
                .map_err(|e| e.code),
            Err("MALFORMED_QUERY")
        );
        assert_eq!(
            tokenize("WHERE Email = 'abc")
                .map(|_| ())
                .map_err(|e| e.code),
            Err("MALFORMED_QUERY")
        );
        assert!(tokenize("WHERE CreatedDate > 2024-01-01").is_err());
    }
}
