//! Rename hints written in DDL files, as sqldef spells them:
//! `CREATE TABLE users ( -- @renamed from=user_accounts` and
//! `user_name text, -- @renamed from=username` (also `/* @renamed from=old */`).
//! They become `renamed_from` on the table or column, so a DDL file can say "rename" instead of
//! "drop and add".

use crate::model::Schema;

/// One hint: a table rename (`column: None`) or a column rename inside `table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameHint {
    /// The table the hint is in (its new name).
    pub table: String,
    /// The column (new name) for a column rename.
    pub column: Option<String>,
    /// The old name.
    pub from: String,
}

fn unquote(s: &str) -> String {
    crate::sql::unquote_ident(s.trim().trim_end_matches([',', '(', ';']).trim())
}

/// First identifier of `text` (quoted or bare), and the rest.
fn first_ident(text: &str) -> Option<(String, &str)> {
    let t = text.trim_start();
    let mut chars = t.char_indices();
    let (_, c) = chars.next()?;
    let close = match c {
        '"' => '"',
        '`' => '`',
        '[' => ']',
        _ => {
            let end = t.find(|ch: char| ch.is_whitespace() || ch == '(' || ch == ',').unwrap_or(t.len());
            return Some((t[..end].to_string(), &t[end..]));
        }
    };
    let end = t[1..].find(close)? + 2;
    Some((unquote(&t[..end]), &t[end..]))
}

/// Finds every `@renamed from=NAME` hint in `ddl`.
pub fn rename_hints(ddl: &str) -> Vec<RenameHint> {
    let mut out = Vec::new();
    let mut table: Option<String> = None;
    for line in ddl.lines() {
        let upper = line.to_ascii_uppercase();
        let code = line.split("--").next().unwrap_or(line);
        let code = code.split("/*").next().unwrap_or(code);
        let is_create_table = upper.trim_start().starts_with("CREATE TABLE");
        if is_create_table {
            let rest = &line.trim_start()["CREATE TABLE".len()..];
            let rest = rest.trim_start();
            let rest = if rest.to_ascii_uppercase().starts_with("IF NOT EXISTS") { &rest[13..] } else { rest };
            table = first_ident(rest).map(|(n, _)| n.rsplit('.').next().unwrap_or(&n).to_string());
        }
        let Some(pos) = line.find("@renamed from=") else { continue };
        let raw = line[pos + "@renamed from=".len()..].trim();
        let raw = raw.trim_end_matches("*/").trim();
        let from = match raw.chars().next() {
            Some('"') => raw[1..].find('"').map(|e| raw[1..e + 1].to_string()).unwrap_or_default(),
            _ => raw.split(|c: char| c.is_whitespace()).next().unwrap_or("").to_string(),
        };
        if from.is_empty() {
            continue;
        }
        if is_create_table {
            if let Some(t) = &table {
                out.push(RenameHint { table: t.clone(), column: None, from });
            }
        } else if let (Some(t), Some((col, _))) = (&table, first_ident(code)) {
            if !col.is_empty() && !upper.trim_start().starts_with("CREATE") {
                out.push(RenameHint { table: t.clone(), column: Some(col), from });
            }
        }
    }
    out
}

/// Sets `renamed_from` on the tables and columns the hints name.
pub fn apply(schema: &mut Schema, hints: &[RenameHint]) {
    for h in hints {
        let Some(t) = schema.tables.iter_mut().find(|t| t.name.eq_ignore_ascii_case(&h.table)) else { continue };
        match &h.column {
            None => t.renamed_from = Some(h.from.clone()),
            Some(c) => {
                if let Some(col) = t.columns.iter_mut().find(|x| x.name.eq_ignore_ascii_case(c)) {
                    col.renamed_from = Some(h.from.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_table_and_column_hints() {
        let ddl = "CREATE TABLE accounts ( -- @renamed from=old_accounts\n  id bigint,\n  username varchar(100) NOT NULL, -- @renamed from=user_name\n  \"Full Name\" text /* @renamed from=\"full name\" */\n);\nCREATE TABLE new_users /* @renamed from=old_users */ (id int);";
        let h = rename_hints(ddl);
        assert_eq!(
            h,
            vec![
                RenameHint { table: "accounts".into(), column: None, from: "old_accounts".into() },
                RenameHint { table: "accounts".into(), column: Some("username".into()), from: "user_name".into() },
                RenameHint { table: "accounts".into(), column: Some("Full Name".into()), from: "full name".into() },
                RenameHint { table: "new_users".into(), column: None, from: "old_users".into() },
            ]
        );
    }
}
