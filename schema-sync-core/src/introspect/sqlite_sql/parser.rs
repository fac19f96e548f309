//! The structural parser over [`super::lex`] tokens: `CREATE TABLE` bodies and `CREATE INDEX` key lists.

use super::lex::{err, tokenize, Tok, Token};
use super::{
    ColumnDef, Constraint, ConstraintKind, CreateIndex, CreateTable, ForeignKeyDef, GeneratedDef, IndexKeyDef, PResult,
};
use crate::model::{Deferrable, FkAction, KeyTarget};
use std::ops::Range;

pub(super) struct Parser<'a> {
    pub(super) src: &'a str,
    pub(super) toks: Vec<Token>,
    pub(super) pos: usize,
    /// The column of a table-level `PRIMARY KEY (col AUTOINCREMENT)`.
    pub(super) pk_autoincrement: Option<String>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> PResult<Self> {
        Ok(Self { src, toks: tokenize(src)?, pos: 0, pk_autoincrement: None })
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.src.len(), |t| t.span.start)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len() || self.is_punct_at(0, ';')
    }

    fn text(&self, idx: usize) -> &'a str {
        &self.src[self.toks[idx].span.clone()]
    }

    fn is_kw_at(&self, ahead: usize, kw: &str) -> bool {
        let idx = self.pos + ahead;
        idx < self.toks.len() && self.toks[idx].tok == Tok::Word && self.text(idx).eq_ignore_ascii_case(kw)
    }

    fn is_punct_at(&self, ahead: usize, p: char) -> bool {
        self.toks.get(self.pos + ahead).is_some_and(|t| t.tok == Tok::Punct(p))
    }

    fn is_kw(&self, kw: &str) -> bool {
        self.is_kw_at(0, kw)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        self.pos += usize::from(hit);
        hit
    }

    fn eat_punct(&mut self, p: char) -> bool {
        let hit = self.is_punct_at(0, p);
        self.pos += usize::from(hit);
        hit
    }

    fn found(&self) -> String {
        match self.toks.get(self.pos) {
            Some(_) => format!("`{}`", self.text(self.pos)),
            None => "end of input".to_string(),
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            return Ok(());
        }
        err(format!("expected `{kw}`, found {}", self.found()), self.offset())
    }

    fn expect_punct(&mut self, p: char) -> PResult<()> {
        if self.eat_punct(p) {
            return Ok(());
        }
        err(format!("expected `{p}`, found {}", self.found()), self.offset())
    }

    /// A name: bare word, quoted identifier or string literal, unquoted.
    fn name(&mut self) -> PResult<String> {
        match self.name_at(self.pos) {
            Some(value) => {
                self.pos += 1;
                Ok(value)
            }
            None => err(format!("expected a name, found {}", self.found()), self.offset()),
        }
    }

    /// The unquoted value of token `idx` when it can be a name.
    fn name_at(&self, idx: usize) -> Option<String> {
        match &self.toks.get(idx)?.tok {
            Tok::Word => Some(self.text(idx).to_string()),
            Tok::Quoted(v) | Tok::Str(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// `[schema.]name`, returning the name.
    fn qualified_name(&mut self) -> PResult<String> {
        let first = self.name()?;
        if self.eat_punct('.') {
            return self.name();
        }
        Ok(first)
    }

    /// Consumes a balanced `( … )` group and returns the token index range inside it.
    fn group(&mut self) -> PResult<Range<usize>> {
        let open = self.offset();
        self.expect_punct('(')?;
        let start = self.pos;
        let mut depth = 1usize;
        while let Some(t) = self.toks.get(self.pos) {
            match t.tok {
                Tok::Punct('(') => depth += 1,
                Tok::Punct(')') => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Ok(start..self.pos - 1);
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        err("unbalanced `(`", open)
    }

    /// Source text from the first to the last token of `range` (empty for an empty range).
    fn slice(&self, range: Range<usize>) -> String {
        if range.is_empty() {
            return String::new();
        }
        self.src[self.toks[range.start].span.start..self.toks[range.end - 1].span.end].trim().to_string()
    }

    /// The text inside a `( … )` group that must not be empty.
    fn group_text(&mut self, what: &str) -> PResult<String> {
        let at = self.offset();
        let inner = self.group()?;
        match self.slice(inner) {
            t if t.is_empty() => err(format!("empty {what}"), at),
            t => Ok(t),
        }
    }

    /// Splits a token range at top-level commas.
    fn split_commas(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0usize, range.start);
        for i in range.clone() {
            match self.toks[i].tok {
                Tok::Punct('(') => depth += 1,
                Tok::Punct(')') => depth = depth.saturating_sub(1),
                Tok::Punct(',') if depth == 0 => {
                    parts.push(start..i);
                    start = i + 1;
                }
                _ => {}
            }
        }
        if !range.is_empty() {
            parts.push(start..range.end);
        }
        parts
    }

    fn kw_in(&self, idx: usize, kws: &[&str]) -> bool {
        self.toks[idx].tok == Tok::Word && kws.iter().any(|k| self.text(idx).eq_ignore_ascii_case(k))
    }

    /// Reads one indexed-column element: `expr [COLLATE name] [ASC|DESC]` (and a trailing
    /// `AUTOINCREMENT` in a table-level PK). Returns (key, autoincrement).
    fn indexed_column(&self, mut r: Range<usize>) -> PResult<(IndexKeyDef, bool)> {
        let at = self.toks.get(r.start).map_or(self.src.len(), |t| t.span.start);
        let autoincrement = r.end > r.start && self.kw_in(r.end - 1, &["AUTOINCREMENT"]);
        r.end -= usize::from(autoincrement);
        let descending = r.end > r.start && self.kw_in(r.end - 1, &["DESC"]);
        if r.end > r.start && self.kw_in(r.end - 1, &["ASC", "DESC"]) {
            r.end -= 1;
        }
        let mut collation = None;
        if r.end >= r.start + 3 && self.kw_in(r.end - 2, &["COLLATE"]) {
            collation = self.name_at(r.end - 1);
            r.end -= 2;
        }
        let target = match (r.len(), self.name_at(r.start)) {
            (0, _) => return err("empty key", at),
            (1, Some(column)) => KeyTarget::Column(column),
            _ => KeyTarget::Expression(self.slice(r)),
        };
        Ok((IndexKeyDef { target, collation, descending }, autoincrement))
    }

    /// `( col, … )` of a PK/UNIQUE: column names (expression text for the odd expression key),
    /// their `COLLATE`s, and whether one is marked `AUTOINCREMENT`.
    fn key_columns(&mut self) -> PResult<(Vec<String>, Vec<Option<String>>, bool)> {
        let inner = self.group()?;
        let (mut cols, mut collations) = (Vec::new(), Vec::new());
        let mut autoinc = false;
        for part in self.split_commas(inner) {
            let (key, a) = self.indexed_column(part)?;
            autoinc |= a;
            cols.push(match key.target {
                KeyTarget::Column(c) | KeyTarget::Expression(c) => c,
            });
            collations.push(key.collation);
        }
        Ok((cols, collations, autoinc))
    }

    /// `( name, … )`.
    fn name_list(&mut self) -> PResult<Vec<String>> {
        self.expect_punct('(')?;
        let mut names = vec![self.name()?];
        while self.eat_punct(',') {
            names.push(self.name()?);
        }
        self.expect_punct(')')?;
        Ok(names)
    }

    /// Optional `ON CONFLICT <algorithm>`.
    fn conflict_clause(&mut self) -> PResult<()> {
        if self.is_kw("ON") && self.is_kw_at(1, "CONFLICT") {
            self.pos += 2;
            self.name()?;
        }
        Ok(())
    }

    /// `REFERENCES t [(cols)] {ON DELETE|UPDATE action | MATCH name} [[NOT] DEFERRABLE [INITIALLY x]]`.
    fn references(&mut self, columns: Vec<String>) -> PResult<ForeignKeyDef> {
        self.expect_kw("REFERENCES")?;
        let ref_table = self.qualified_name()?;
        let ref_columns = if self.is_punct_at(0, '(') { self.name_list()? } else { Vec::new() };
        let mut fk = ForeignKeyDef {
            columns,
            ref_table,
            ref_columns,
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_type: None,
            deferrable: Deferrable::No,
        };
        loop {
            if self.is_kw("ON") && (self.is_kw_at(1, "DELETE") || self.is_kw_at(1, "UPDATE")) {
                let delete = self.is_kw_at(1, "DELETE");
                self.pos += 2;
                let at = self.offset();
                let action = if self.eat_kw("SET") {
                    if self.eat_kw("NULL") {
                        FkAction::SetNull
                    } else {
                        self.expect_kw("DEFAULT")?;
                        FkAction::SetDefault
                    }
                } else if self.eat_kw("CASCADE") {
                    FkAction::Cascade
                } else if self.eat_kw("RESTRICT") {
                    FkAction::Restrict
                } else if self.eat_kw("NO") {
                    self.expect_kw("ACTION")?;
                    FkAction::NoAction
                } else {
                    return err(format!("expected a foreign key action, found {}", self.found()), at);
                };
                *(if delete { &mut fk.on_delete } else { &mut fk.on_update }) = action;
            } else if self.eat_kw("MATCH") {
                fk.match_type = Some(self.name()?);
            } else {
                break;
            }
        }
        let negated = self.is_kw("NOT") && self.is_kw_at(1, "DEFERRABLE");
        self.pos += usize::from(negated);
        if self.eat_kw("DEFERRABLE") {
            let mut state = Deferrable::InitiallyImmediate;
            if self.eat_kw("INITIALLY") {
                if self.eat_kw("DEFERRED") {
                    state = Deferrable::InitiallyDeferred;
                } else {
                    self.expect_kw("IMMEDIATE")?;
                }
            }
            fk.deferrable = if negated { Deferrable::No } else { state };
        }
        Ok(fk)
    }

    fn is_table_constraint_start(&self) -> bool {
        ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"].iter().any(|k| self.is_kw(k))
    }

    fn column_def(&mut self, constraints: &mut Vec<Constraint>) -> PResult<ColumnDef> {
        const STOP: &[&str] = &[
            "CONSTRAINT",
            "PRIMARY",
            "NOT",
            "NULL",
            "UNIQUE",
            "CHECK",
            "DEFAULT",
            "COLLATE",
            "REFERENCES",
            "GENERATED",
            "AS",
        ];
        let name = self.name()?;
        let type_start = self.pos;
        while self.pos < self.toks.len() && !self.is_punct_at(0, ',') && !self.is_punct_at(0, ')') {
            if self.is_punct_at(0, '(') {
                self.group()?;
                break;
            }
            if self.toks[self.pos].tok == Tok::Word && self.kw_in(self.pos, STOP) {
                break;
            }
            self.pos += 1;
        }
        // SQLite keeps the declared type as written, except that a type starting with a quote
        // is dequoted like a name, which keeps only that first quoted part (`"a" "b"` → `a`).
        let type_text = match self.toks.get(type_start).map(|t| &t.tok) {
            Some(Tok::Quoted(_) | Tok::Str(_)) if type_start < self.pos => self.name_at(type_start).unwrap_or_default(),
            _ => self.slice(type_start..self.pos),
        };
        let mut col = ColumnDef {
            type_text,
            name,
            collation: None,
            autoincrement: false,
            not_null: false,
            default: None,
            generated: None,
        };
        while self.pos < self.toks.len() && !self.is_punct_at(0, ',') && !self.is_punct_at(0, ')') {
            let cname = if self.eat_kw("CONSTRAINT") { Some(self.name()?) } else { None };
            let at = self.offset();
            let kind = if self.eat_kw("PRIMARY") {
                self.expect_kw("KEY")?;
                let desc = !self.eat_kw("ASC") && self.eat_kw("DESC");
                self.conflict_clause()?;
                col.autoincrement |= self.eat_kw("AUTOINCREMENT");
                Some(ConstraintKind::PrimaryKey {
                    columns: vec![col.name.clone()],
                    collations: vec![None],
                    desc_column_form: desc,
                })
            } else if self.eat_kw("NOT") {
                self.expect_kw("NULL")?;
                col.not_null = true;
                self.conflict_clause()?;
                None
            } else if self.eat_kw("NULL") {
                self.conflict_clause()?;
                None
            } else if self.eat_kw("UNIQUE") {
                self.conflict_clause()?;
                Some(ConstraintKind::Unique { columns: vec![col.name.clone()], collations: vec![None] })
            } else if self.eat_kw("CHECK") {
                Some(ConstraintKind::Check { expr: self.group_text("CHECK expression")? })
            } else if self.eat_kw("DEFAULT") {
                col.default = Some(self.default_value()?);
                None
            } else if self.eat_kw("COLLATE") {
                col.collation = Some(self.name()?);
                None
            } else if self.is_kw("REFERENCES") {
                Some(ConstraintKind::ForeignKey(self.references(vec![col.name.clone()])?))
            } else if self.is_kw("GENERATED") || self.is_kw("AS") {
                if self.eat_kw("GENERATED") {
                    self.expect_kw("ALWAYS")?;
                }
                self.expect_kw("AS")?;
                let expr = self.group_text("generation expression")?;
                let stored = self.eat_kw("STORED");
                if !stored {
                    self.eat_kw("VIRTUAL");
                }
                col.generated = Some(GeneratedDef { expr, stored });
                None
            } else if cname.is_some() {
                // `CONSTRAINT name` with nothing after it: SQLite accepts and ignores it.
                continue;
            } else {
                return err(format!("unexpected {} in column `{}`", self.found(), col.name), at);
            };
            if let Some(kind) = kind {
                constraints.push(Constraint { name: cname, kind });
            }
        }
        Ok(col)
    }

    /// `DEFAULT` value: `( expr )`, a signed number, or one literal / keyword / identifier token.
    /// The text is what SQLite stores (and `pragma_table_info` shows): for `( expr )` the
    /// expression inside the parentheses, otherwise the tokens as written.
    fn default_value(&mut self) -> PResult<String> {
        let start = self.pos;
        if self.is_punct_at(0, '(') {
            let inner = self.group()?;
            return Ok(self.slice(inner));
        } else {
            if self.is_punct_at(0, '-') || self.is_punct_at(0, '+') {
                self.pos += 1;
            }
            if self.pos >= self.toks.len() || matches!(self.toks[self.pos].tok, Tok::Punct(_)) {
                return err(format!("expected a default value, found {}", self.found()), self.offset());
            }
            self.pos += 1;
        }
        Ok(self.slice(start..self.pos))
    }

    fn table_constraint(&mut self) -> PResult<Option<Constraint>> {
        let name = if self.eat_kw("CONSTRAINT") { Some(self.name()?) } else { None };
        let at = self.offset();
        let kind = if self.eat_kw("PRIMARY") {
            self.expect_kw("KEY")?;
            let (columns, collations, autoincrement) = self.key_columns()?;
            if autoincrement {
                self.pk_autoincrement = columns.first().cloned();
            }
            self.conflict_clause()?;
            ConstraintKind::PrimaryKey { columns, collations, desc_column_form: false }
        } else if self.eat_kw("UNIQUE") {
            let (columns, collations, _) = self.key_columns()?;
            self.conflict_clause()?;
            ConstraintKind::Unique { columns, collations }
        } else if self.eat_kw("CHECK") {
            let expr = self.group_text("CHECK expression")?;
            self.conflict_clause()?;
            ConstraintKind::Check { expr }
        } else if self.eat_kw("FOREIGN") {
            self.expect_kw("KEY")?;
            let columns = self.name_list()?;
            ConstraintKind::ForeignKey(self.references(columns)?)
        } else if name.is_some() && (self.is_punct_at(0, ',') || self.is_punct_at(0, ')')) {
            return Ok(None);
        } else {
            return err(format!("expected a table constraint, found {}", self.found()), at);
        };
        Ok(Some(Constraint { name, kind }))
    }

    /// `CREATE [TEMP|TEMPORARY] <what> [IF NOT EXISTS]`.
    fn create_header(&mut self, what: &[&str]) -> PResult<()> {
        self.expect_kw("CREATE")?;
        let _ = self.eat_kw("TEMP") || self.eat_kw("TEMPORARY");
        for kw in what {
            self.expect_kw(kw)?;
        }
        if self.is_kw("IF") {
            self.pos += 1;
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
        }
        Ok(())
    }

    fn expect_end(&mut self) -> PResult<()> {
        self.eat_punct(';');
        if self.pos < self.toks.len() {
            return err(format!("unexpected {} after the statement", self.found()), self.offset());
        }
        Ok(())
    }
}

impl Parser<'_> {
    /// The part of an index header after `CREATE [UNIQUE]`: `INDEX [IF NOT EXISTS]`.
    fn create_header_rest(&mut self) -> PResult<()> {
        self.expect_kw("INDEX")?;
        if self.is_kw("IF") {
            self.pos += 1;
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
        }
        Ok(())
    }

    /// `CREATE TABLE …` (see [`super::parse_create_table`]).
    pub(super) fn create_table(mut self) -> PResult<CreateTable> {
        let p = &mut self;
        p.create_header(&["TABLE"])?;
        let name = p.qualified_name()?;
        if p.is_kw("AS") {
            return err("`CREATE TABLE … AS SELECT` has no column definitions to read", p.offset());
        }
        p.expect_punct('(')?;
        let (mut columns, mut constraints) = (Vec::new(), Vec::new());
        let mut in_constraints = false;
        loop {
            if in_constraints || p.is_table_constraint_start() {
                in_constraints = true;
                constraints.extend(p.table_constraint()?);
            } else {
                columns.push(p.column_def(&mut constraints)?);
            }
            // SQLite lets table constraints follow each other without a comma.
            let more = p.eat_punct(',') || (in_constraints && p.is_table_constraint_start());
            if !more {
                break;
            }
        }
        p.expect_punct(')')?;
        if columns.is_empty() {
            return err("a table needs at least one column", p.offset());
        }
        let (mut without_rowid, mut strict) = (false, false);
        while !p.at_end() {
            if p.eat_kw("WITHOUT") {
                p.expect_kw("ROWID")?;
                without_rowid = true;
            } else if p.eat_kw("STRICT") {
                strict = true;
            } else {
                return err(format!("unexpected table option {}", p.found()), p.offset());
            }
            if !p.eat_punct(',') {
                break;
            }
        }
        p.expect_end()?;
        // `PRIMARY KEY (id AUTOINCREMENT)` at table level marks the column too.
        if let Some(pk) = &p.pk_autoincrement {
            columns.iter_mut().filter(|c| c.name.eq_ignore_ascii_case(pk)).for_each(|c| c.autoincrement = true);
        }
        Ok(CreateTable { name, columns, constraints, without_rowid, strict })
    }

    /// `CREATE [UNIQUE] INDEX …` (see [`super::parse_create_index`]).
    pub(super) fn create_index(mut self) -> PResult<CreateIndex> {
        let p = &mut self;
        p.expect_kw("CREATE")?;
        let unique = p.eat_kw("UNIQUE");
        p.create_header_rest()?;
        let name = p.qualified_name()?;
        p.expect_kw("ON")?;
        let table = p.name()?;
        let at = p.offset();
        let inner = p.group()?;
        let mut keys = Vec::new();
        for part in p.split_commas(inner) {
            keys.push(p.indexed_column(part)?.0);
        }
        if keys.is_empty() {
            return err("an index needs at least one key", at);
        }
        let mut predicate = None;
        if p.eat_kw("WHERE") {
            let start = p.pos;
            while !p.at_end() {
                p.pos += 1;
            }
            let text = p.slice(start..p.pos);
            if text.is_empty() {
                return err("empty WHERE clause", p.offset());
            }
            predicate = Some(text);
        }
        p.expect_end()?;
        Ok(CreateIndex { name, table, unique, keys, predicate })
    }
}
