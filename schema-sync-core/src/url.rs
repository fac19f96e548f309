//! Connection URLs in messages: passwords never printed.
//!
//! Redaction follows the URL's structure, never a search for the password's text: the userinfo
//! of `scheme://user:password@host` runs to the **last** `@` (a password may hold `@`, `/`, `:`
//! or `?` when it was not percent-encoded), and everything after the first `:` in it is hidden;
//! so is the value of a `password=` query parameter. Over-hiding is preferred to a leak: when
//! the query itself holds an `@`, the host is hidden with the password.

/// Returns `url` with any password replaced by `***`, for messages and logs.
///
/// ```
/// use schema_sync_core::url::redact_url;
/// assert_eq!(redact_url("postgres://me:s3cret@db:5432/app"), "postgres://me:***@db:5432/app");
/// assert_eq!(redact_url("postgresql://u:Xq7/zKp9@host/db"), "postgresql://u:***@host/db");
/// assert_eq!(redact_url("postgres://u:p@ss:w/rd@host/db"), "postgres://u:***@host/db");
/// assert_eq!(redact_url("postgres://db/app?password=x&sslmode=require"), "postgres://db/app?password=***&sslmode=require");
/// assert_eq!(redact_url("postgres://me@db/app"), "postgres://me@db/app");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return redact_loose(url) };
    let rest_start = scheme_end + 3;
    let mut out = url.to_string();
    if let Some(at) = url[rest_start..].rfind('@').map(|i| i + rest_start) {
        if let Some(colon) = url[rest_start..at].find(':').map(|i| i + rest_start) {
            out.replace_range(colon + 1..at, "***");
        }
    }
    redact_query(&out)
}

/// Hides the value of every `password=` / `sslpassword=` query parameter.
fn redact_query(url: &str) -> String {
    let Some(q) = url.rfind('?').filter(|&q| url[q..].contains('=')) else { return url.to_string() };
    let (head, query) = url.split_at(q + 1);
    let redacted: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("sslpassword") => {
                format!("{k}=***")
            }
            _ => kv.to_string(),
        })
        .collect();
    format!("{head}{}", redacted.join("&"))
}

/// Hides a password in text that may be a mistyped URL (`postgres//me:pw@host/db`,
/// `me:pw@host`): the part between the first `:` of its last word-with-`@` and that `@`.
///
/// ```
/// use schema_sync_core::url::redact_loose;
/// assert_eq!(redact_loose("postgres//me:pw@host/db"), "postgres//me:***@host/db");
/// assert_eq!(redact_loose("me:p@w@db"), "me:***@db");
/// assert_eq!(redact_loose("app.db"), "app.db");
/// ```
pub fn redact_loose(text: &str) -> String {
    if text.contains("://") {
        return redact_url(text);
    }
    let Some(at) = text.rfind('@') else { return text.to_string() };
    // The userinfo starts after the last `//` (a mistyped scheme) or at the start of the word.
    let start = text[..at].rfind("//").map(|i| i + 2).or_else(|| text[..at].rfind(' ').map(|i| i + 1)).unwrap_or(0);
    match text[start..at].find(':').map(|i| i + start) {
        Some(colon) => format!("{}:***{}", &text[..colon], &text[at..]),
        None => text.to_string(),
    }
}

/// `text` (an error message) with every Postgres URL in it redacted ([`redact_url`]). A URL
/// runs to the next whitespace or quote.
///
/// ```
/// use schema_sync_core::url::redact_urls_in;
/// assert_eq!(
///     redact_urls_in("cannot reach `postgres://u:pw@h/db`: invalid port number"),
///     "cannot reach `postgres://u:***@h/db`: invalid port number"
/// );
/// ```
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = find_scheme(rest) {
        out.push_str(&rest[..pos]);
        let end = rest[pos..].find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'')).map(|i| i + pos);
        let end = end.unwrap_or(rest.len());
        out.push_str(&redact_url(&rest[pos..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    ["postgresql://", "postgres://"].iter().filter_map(|s| lower.find(s)).min()
}
