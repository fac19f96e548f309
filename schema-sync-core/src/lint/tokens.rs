//! Just enough of a SQL tokenizer for the lint: words, quoted names, literals and punctuation,
//! comments dropped.

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// A bare word, upper-cased (`ALTER`, `users`→`USERS`); `raw` keeps the spelling.
    Word { upper: String, raw: String },
    /// A `"quoted"` name, unquoted.
    Quoted(String),
    /// A string literal or dollar-quoted body (contents not needed).
    Literal,
    /// Any other character (`(`, `)`, `,`, `.`, `=`, …) or a number.
    Punct(char),
}

impl Tok {
    /// `true` when this is the bare word `w` (upper case).
    pub(super) fn is(&self, w: &str) -> bool {
        matches!(self, Tok::Word { upper, .. } if upper == w)
    }

    /// The name this token spells, as Postgres folds it (bare words lower-cased).
    pub(super) fn name(&self) -> Option<String> {
        match self {
            Tok::Word { raw, .. } => Some(raw.to_lowercase()),
            Tok::Quoted(q) => Some(q.clone()),
            _ => None,
        }
    }
}

/// The tokens of one statement.
pub(super) fn tokens(sql: &str) -> Vec<Tok> {
    let c: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '-' && c.get(i + 1) == Some(&'-') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if ch == '\'' {
            i += 1;
            while i < c.len() {
                if c[i] == '\'' && c.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if c[i] == '\'' {
                    i += 1;
                    break;
                } else {
                    i += 1;
                }
            }
            out.push(Tok::Literal);
        } else if ch == '"' {
            let mut name = String::new();
            i += 1;
            while i < c.len() {
                if c[i] == '"' && c.get(i + 1) == Some(&'"') {
                    name.push('"');
                    i += 2;
                } else if c[i] == '"' {
                    i += 1;
                    break;
                } else {
                    name.push(c[i]);
                    i += 1;
                }
            }
            out.push(Tok::Quoted(name));
        } else if ch == '$' && dollar_tag(&c, i).is_some() {
            let tag = dollar_tag(&c, i).unwrap_or_default();
            i += tag.len();
            while i < c.len() && !c[i..].starts_with(&tag) {
                i += 1;
            }
            i = (i + tag.len()).min(c.len());
            out.push(Tok::Literal);
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '$') {
                i += 1;
            }
            let raw: String = c[start..i].iter().collect();
            out.push(Tok::Word { upper: raw.to_uppercase(), raw });
        } else {
            out.push(Tok::Punct(ch));
            i += 1;
        }
    }
    out
}

fn dollar_tag(c: &[char], i: usize) -> Option<Vec<char>> {
    let mut j = i + 1;
    while j < c.len() && (c[j].is_alphanumeric() || c[j] == '_') {
        j += 1;
    }
    (j < c.len() && c[j] == '$' && !c.get(i + 1).is_some_and(|d| d.is_ascii_digit())).then(|| c[i..=j].to_vec())
}

/// Splits `toks` at commas that are not inside parentheses.
pub(super) fn top_level_commas(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth -= 1,
            Tok::Punct(',') if depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    out
}

/// A possibly schema-qualified name at the front of `toks`: (`schema.table` as written but
/// folded, tokens used).
pub(super) fn qualified_name(toks: &[Tok]) -> Option<(String, usize)> {
    let first = toks.first()?.name()?;
    if toks.get(1) == Some(&Tok::Punct('.')) {
        if let Some(second) = toks.get(2).and_then(Tok::name) {
            return Some((format!("{first}.{second}"), 3));
        }
    }
    Some((first, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_names_literals_and_comments() {
        let t = tokens("ALTER table \"My Tab\" /* x; */ ADD c int DEFAULT 'a''b' -- tail\n, ADD d text DEFAULT $$x$$");
        assert!(t[0].is("ALTER") && t[1].is("TABLE"));
        assert_eq!(t[2], Tok::Quoted("My Tab".into()));
        assert_eq!(t.iter().filter(|x| **x == Tok::Literal).count(), 2);
        assert_eq!(top_level_commas(&t).len(), 2);
        assert_eq!(qualified_name(&tokens("public.Users (id)")), Some(("public.users".to_string(), 3)));
    }
}
