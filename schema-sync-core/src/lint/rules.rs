//! The lint rules, and the one pass over a statement that applies them.

use super::tokens::{qualified_name, tokens, top_level_commas, Tok};
use super::Context;
use serde::Serialize;
use std::collections::HashSet;

/// A rule: a stable id, a name, and what it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// `SS001` …
    pub id: &'static str,
    /// `lock-timeout` …
    pub name: &'static str,
    /// One sentence.
    pub summary: &'static str,
}

/// Every rule, by id.
pub const RULES: &[Rule] = &[
    Rule {
        id: "SS001",
        name: "lock-timeout",
        summary: "a statement that locks an existing table runs without `SET lock_timeout` first",
    },
    Rule {
        id: "SS002",
        name: "index-not-concurrent",
        summary: "an index on an existing table built without CONCURRENTLY",
    },
    Rule {
        id: "SS003",
        name: "constraint-not-valid",
        summary: "a foreign key or CHECK added to an existing table without NOT VALID",
    },
    Rule {
        id: "SS004",
        name: "unique-without-index",
        summary: "a UNIQUE or PRIMARY KEY constraint built in place instead of `USING INDEX`",
    },
    Rule { id: "SS005", name: "set-not-null", summary: "SET NOT NULL without a validated CHECK (col IS NOT NULL)" },
    Rule {
        id: "SS006",
        name: "add-column-rewrite",
        summary: "a column added with a volatile default, an identity or a stored generated value",
    },
    Rule { id: "SS007", name: "type-change", summary: "a column type change on an existing table" },
    Rule { id: "SS008", name: "rename", summary: "a table or column renamed while clients use the old name" },
    Rule { id: "SS009", name: "drop", summary: "a table or column dropped while clients may still use it" },
    Rule {
        id: "SS010",
        name: "concurrently-in-transaction",
        summary: "CONCURRENTLY inside an explicit transaction block",
    },
];

fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or(&RULES[0])
}

/// What one file has done so far.
#[derive(Debug, Default)]
pub(super) struct FileState {
    lock_timeout: bool,
    lock_timeout_reported: bool,
    in_transaction: bool,
    /// Tables this file created (unqualified names): new and empty.
    created: HashSet<String>,
}

impl FileState {
    fn is_new(&self, table: &str) -> bool {
        self.created.contains(unqualified(table))
    }
}

fn unqualified(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

type Found = Vec<(&'static Rule, String)>;

/// The findings of one statement, updating what the file and the context know.
pub(super) fn check(cx: &mut Context, fs: &mut FileState, sql: &str) -> Found {
    let t = tokens(sql);
    let mut out = Found::new();
    let first = match t.first() {
        Some(Tok::Word { upper, .. }) => upper.as_str(),
        _ => return out,
    };
    match first {
        "BEGIN" | "START" => fs.in_transaction = true,
        "COMMIT" | "END" | "ROLLBACK" => fs.in_transaction = false,
        "SET" => fs.lock_timeout |= t.iter().any(|x| x.is("LOCK_TIMEOUT")),
        // SELECT set_config('lock_timeout', …)
        "SELECT" => fs.lock_timeout |= sql.to_ascii_lowercase().contains("'lock_timeout'"),
        "CREATE" => create(fs, &t, &mut out),
        "DROP" => drop(fs, &t, &mut out),
        "ALTER" if t.get(1).is_some_and(|x| x.is("TABLE")) => alter_table(cx, fs, &t, &mut out),
        _ => {}
    }
    out
}

/// SS001, once per file, before the first statement that locks an existing table.
fn needs_lock_timeout(fs: &mut FileState, out: &mut Found, table: &str) {
    if !fs.lock_timeout && !fs.lock_timeout_reported && !fs.is_new(table) {
        fs.lock_timeout_reported = true;
        out.push((
            rule("SS001"),
            format!(
                "`{table}` is locked with no `SET lock_timeout` earlier in the file: if the lock waits behind a long transaction, every query on `{table}` queues behind it; start the file with `SET lock_timeout = '3s';`"
            ),
        ));
    }
}

fn create(fs: &mut FileState, t: &[Tok], out: &mut Found) {
    let mut i = 1;
    while t
        .get(i)
        .is_some_and(|x| x.is("OR") || x.is("REPLACE") || x.is("UNLOGGED") || x.is("TEMP") || x.is("TEMPORARY"))
    {
        i += 1;
    }
    if t.get(i).is_some_and(|x| x.is("TABLE")) {
        i += 1;
        if t.get(i).is_some_and(|x| x.is("IF")) {
            i += 3;
        }
        if let Some((name, _)) = qualified_name(&t[i.min(t.len())..]) {
            fs.created.insert(unqualified(&name).to_string());
        }
        return;
    }
    if t.get(i).is_some_and(|x| x.is("UNIQUE")) {
        i += 1;
    }
    if !t.get(i).is_some_and(|x| x.is("INDEX")) {
        return;
    }
    let concurrently = t.iter().take(i + 3).any(|x| x.is("CONCURRENTLY"));
    let Some(on) = t.iter().position(|x| x.is("ON")) else { return };
    let mut j = on + 1;
    if t.get(j).is_some_and(|x| x.is("ONLY")) {
        j += 1;
    }
    let Some((table, _)) = qualified_name(&t[j.min(t.len())..]) else { return };
    if concurrently {
        if fs.in_transaction {
            out.push((
                rule("SS010"),
                "CREATE INDEX CONCURRENTLY cannot run inside a transaction block (Postgres refuses it); put it in a file of its own, outside BEGIN … COMMIT".to_string(),
            ));
        }
        return;
    }
    if fs.is_new(&table) {
        return;
    }
    needs_lock_timeout(fs, out, &table);
    out.push((
        rule("SS002"),
        format!("building an index on `{table}` blocks its writes for the whole build; use CREATE INDEX CONCURRENTLY (in a file of its own)"),
    ));
}

fn drop(fs: &mut FileState, t: &[Tok], out: &mut Found) {
    let Some(kind) = t.get(1) else { return };
    if kind.is("INDEX") {
        let concurrently = t.get(2).is_some_and(|x| x.is("CONCURRENTLY"));
        if concurrently && fs.in_transaction {
            out.push((
                rule("SS010"),
                "DROP INDEX CONCURRENTLY cannot run inside a transaction block; put it in a file of its own"
                    .to_string(),
            ));
        }
        return;
    }
    if !kind.is("TABLE") {
        return;
    }
    let mut i = 2;
    if t.get(i).is_some_and(|x| x.is("IF")) {
        i += 2;
    }
    for part in top_level_commas(&t[i.min(t.len())..]) {
        let Some((table, _)) = qualified_name(part) else { continue };
        if fs.is_new(&table) {
            continue;
        }
        needs_lock_timeout(fs, out, &table);
        out.push((
            rule("SS009"),
            format!("dropping `{table}` breaks every client still using it and deletes its rows; stop using it in a deploy first, then drop it"),
        ));
    }
}

fn alter_table(cx: &mut Context, fs: &mut FileState, t: &[Tok], out: &mut Found) {
    let mut i = 2;
    if t.get(i).is_some_and(|x| x.is("IF")) {
        i += 2;
    }
    if t.get(i).is_some_and(|x| x.is("ONLY")) {
        i += 1;
    }
    let Some((table, used)) = qualified_name(&t[i.min(t.len())..]) else { return };
    i += used;
    if t.get(i) == Some(&Tok::Punct('*')) {
        i += 1;
    }
    let new = fs.is_new(&table);
    let rest = &t[i.min(t.len())..];
    // A rename is a whole statement of its own.
    if rest.first().is_some_and(|x| x.is("RENAME")) {
        if !new {
            needs_lock_timeout(fs, out, &table);
            out.push((
                rule("SS008"),
                format!("renaming in `{table}` breaks clients still running with the old name; add the new name, deploy, then remove the old one"),
            ));
        }
        return;
    }
    let mut locked = false;
    for action in top_level_commas(rest) {
        let Some(first) = action.first() else { continue };
        if first.is("VALIDATE") {
            if let Some(name) = action.get(2).and_then(Tok::name) {
                if let Some(col) = cx.pending_checks.remove(&name) {
                    cx.not_null_checked.insert(col);
                }
            }
            continue; // SHARE UPDATE EXCLUSIVE: blocks nobody
        }
        if !new && !locked {
            locked = true;
            needs_lock_timeout(fs, out, &table);
        }
        if first.is("ADD") {
            add(cx, &table, new, action, out);
        } else if first.is("ALTER") {
            alter_column(cx, &table, new, action, out);
        } else if first.is("DROP") && !new {
            let mut j = 1;
            if action.get(j).is_some_and(|x| x.is("COLUMN")) {
                j += 1;
            } else if action.get(j).is_some_and(|x| x.is("CONSTRAINT")) {
                continue;
            }
            if action.get(j).is_some_and(|x| x.is("IF")) {
                j += 2;
            }
            let col = action.get(j).and_then(Tok::name).unwrap_or_default();
            out.push((
                rule("SS009"),
                format!("dropping `{table}.{col}` breaks clients still reading it and deletes its values; stop using it in a deploy first"),
            ));
        }
    }
}

fn add(cx: &mut Context, table: &str, new: bool, a: &[Tok], out: &mut Found) {
    let mut j = 1;
    let constraint_name = if a.get(j).is_some_and(|x| x.is("CONSTRAINT")) {
        j += 2;
        a.get(j - 1).and_then(Tok::name)
    } else {
        None
    };
    let kind = a.get(j);
    let is = |w: &str| kind.is_some_and(|x| x.is(w));
    let not_valid = a.windows(2).any(|w| w[0].is("NOT") && w[1].is("VALID"));
    if is("CHECK") || is("FOREIGN") {
        // CHECK (col IS NOT NULL): remembered, so a later SET NOT NULL can skip its scan.
        if is("CHECK") {
            if let Some(col) = not_null_check(&a[j + 1..]) {
                let key = format!("{}.{col}", unqualified(table));
                match (&constraint_name, not_valid) {
                    (Some(n), true) => {
                        cx.pending_checks.insert(n.clone(), key);
                    }
                    (_, false) => {
                        cx.not_null_checked.insert(key);
                    }
                    (None, true) => {}
                }
            }
        }
        if !new && !not_valid {
            let what = if is("CHECK") { "CHECK" } else { "FOREIGN KEY" };
            out.push((
                rule("SS003"),
                format!("adding a {what} to `{table}` reads every row while holding its lock; add it NOT VALID, then VALIDATE CONSTRAINT in a later transaction"),
            ));
        }
        return;
    }
    if is("UNIQUE") || is("PRIMARY") {
        let using_index = a.windows(2).any(|w| w[0].is("USING") && w[1].is("INDEX"));
        if !new && !using_index {
            out.push((
                rule("SS004"),
                format!("this builds a unique index on `{table}` under ACCESS EXCLUSIVE; build it with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX"),
            ));
        }
        return;
    }
    if is("EXCLUDE") || new {
        return;
    }
    // ADD [COLUMN] [IF NOT EXISTS] name type …
    let mut k = j;
    if a.get(k).is_some_and(|x| x.is("COLUMN")) {
        k += 1;
    }
    if a.get(k).is_some_and(|x| x.is("IF")) {
        k += 3;
    }
    let col = a.get(k).and_then(Tok::name).unwrap_or_default();
    let ty = a.get(k + 1).map(|x| if let Tok::Word { upper, .. } = x { upper.as_str() } else { "" }).unwrap_or("");
    let default_volatile = a.iter().position(|x| x.is("DEFAULT")).is_some_and(|d| {
        let text: String = a[d + 1..]
            .iter()
            .map(|x| match x {
                Tok::Word { raw, .. } => raw.clone(),
                Tok::Punct(c) => c.to_string(),
                _ => String::new(),
            })
            .collect();
        crate::plan::is_volatile(&text)
    });
    let identity = a.iter().any(|x| x.is("IDENTITY")) || matches!(ty, "SERIAL" | "BIGSERIAL" | "SMALLSERIAL");
    let stored = a.iter().any(|x| x.is("STORED"));
    if default_volatile || identity || stored {
        let why = if default_volatile {
            "a volatile default"
        } else if identity {
            "an identity"
        } else {
            "a stored generated value"
        };
        out.push((
            rule("SS006"),
            format!("adding `{col}` with {why} rewrites `{table}` under ACCESS EXCLUSIVE; add it without, backfill in batches, then set the default"),
        ));
    }
}

fn alter_column(cx: &mut Context, table: &str, new: bool, a: &[Tok], out: &mut Found) {
    let mut j = 1;
    if a.get(j).is_some_and(|x| x.is("COLUMN")) {
        j += 1;
    }
    let col = a.get(j).and_then(Tok::name).unwrap_or_default();
    let rest = &a[(j + 1).min(a.len())..];
    let set_not_null = rest.len() >= 3 && rest[0].is("SET") && rest[1].is("NOT") && rest[2].is("NULL");
    let type_change = rest.first().is_some_and(|x| x.is("TYPE"))
        || (rest.len() >= 3 && rest[0].is("SET") && rest[1].is("DATA") && rest[2].is("TYPE"));
    if new {
        return;
    }
    if set_not_null && !cx.not_null_checked.contains(&format!("{}.{col}", unqualified(table))) {
        out.push((
            rule("SS005"),
            format!("SET NOT NULL on `{table}.{col}` reads every row under ACCESS EXCLUSIVE; first ADD CONSTRAINT … CHECK ({col} IS NOT NULL) NOT VALID and VALIDATE it, then SET NOT NULL skips the scan"),
        ));
    }
    if type_change {
        out.push((
            rule("SS007"),
            format!("changing the type of `{table}.{col}` rewrites the table under ACCESS EXCLUSIVE unless the types are binary-coercible; add a new column, backfill in batches, and swap"),
        ));
    }
}

/// `col` when `toks` is `( col IS NOT NULL )`.
fn not_null_check(toks: &[Tok]) -> Option<String> {
    match toks {
        [Tok::Punct('('), c, is, not, null, Tok::Punct(')'), ..] if is.is("IS") && not.is("NOT") && null.is("NULL") => {
            c.name()
        }
        _ => None,
    }
}
