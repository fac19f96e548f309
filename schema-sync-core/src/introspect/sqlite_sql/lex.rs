//! The tokenizer: SQLite's lexical rules for the parts of DDL we read.
//!
//! Identifiers may be bare, `"double"` (with `""`), `[bracketed]` or `` `backticked` `` (with
//! ` `` `); strings are `'single'` (with `''`); comments are `--` to end of line and `/* */`
//! (an unterminated block comment runs to the end, as in SQLite). Tokens keep their byte span so
//! the parser can hand back original source slices.

use super::{PResult, ParseError};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// A bare word (identifier or keyword).
    Word,
    /// `"x"`, `[x]` or `` `x` `` with its unescaped value.
    Quoted(String),
    /// `'x'` with its unescaped value (SQLite also accepts it as a name).
    Str(String),
    /// Number or blob literal.
    Literal,
    /// Any other single character.
    Punct(char),
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Range<usize>,
}

pub(super) fn err<T>(message: impl Into<String>, offset: usize) -> PResult<T> {
    Err(ParseError { message: message.into(), offset })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()
}

/// Scans a quoted run starting at `start` (the opening char) up to `close`; a doubled `close`
/// is an escaped one unless `doubling` is off (`[x]`). Returns the value and the end offset.
fn scan_quoted(src: &str, start: usize, close: char, doubling: bool) -> PResult<(String, usize)> {
    let mut value = String::new();
    let mut chars = src[start + 1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == close {
            if doubling && chars.peek().map(|&(_, n)| n) == Some(close) {
                chars.next();
                value.push(close);
                continue;
            }
            return Ok((value, start + 1 + i + c.len_utf8()));
        }
        value.push(c);
    }
    err(format!("unterminated `{}`", &src[start..start + 1]), start)
}

pub(super) fn tokenize(src: &str) -> PResult<Vec<Token>> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = src[i..].chars().next() {
        let start = i;
        let next = bytes.get(i + 1).copied();
        let tok = if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        } else if c == '-' && next == Some(b'-') {
            i = src[i..].find('\n').map_or(src.len(), |n| i + n + 1);
            continue;
        } else if c == '/' && next == Some(b'*') {
            // SQLite accepts an unterminated block comment at the end of input.
            i = src[i + 2..].find("*/").map_or(src.len(), |n| i + 2 + n + 2);
            continue;
        } else if matches!(c, 'x' | 'X') && next == Some(b'\'') {
            i = scan_quoted(src, i + 1, '\'', true)?.1;
            Tok::Literal
        } else if c == '\'' {
            let (v, end) = scan_quoted(src, i, '\'', true)?;
            i = end;
            Tok::Str(v)
        } else if c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let (v, end) = scan_quoted(src, i, close, c != '[')?;
            i = end;
            Tok::Quoted(v)
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|b| b.is_ascii_digit())) {
            i += 1;
            while let Some(d) = src[i..].chars().next() {
                let exp_sign = matches!(d, '+' | '-') && matches!(bytes[i - 1], b'e' | b'E');
                if !(d.is_ascii_alphanumeric() || d == '.' || d == '_' || exp_sign) {
                    break;
                }
                i += 1;
            }
            Tok::Literal
        } else if is_word_char(c) {
            i += src[i..].find(|ch: char| !is_word_char(ch)).unwrap_or(src.len() - i);
            Tok::Word
        } else {
            i += c.len_utf8();
            Tok::Punct(c)
        };
        out.push(Token { tok, span: start..i });
    }
    Ok(out)
}
