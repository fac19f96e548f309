//! Connection URLs in messages: passwords never printed.

/// Hides a password in text that may be a mistyped URL (`postgres//me:pw@host/db`): anything
/// between the last `:` and an `@` of the authority-looking part is replaced by `***`.
///
/// ```
/// use schema_sync_core::url::redact_loose;
/// assert_eq!(redact_loose("postgres//me:pw@host/db"), "postgres//me:***@host/db");
/// assert_eq!(redact_loose("app.db"), "app.db");
/// ```
pub fn redact_loose(text: &str) -> String {
    if text.contains("://") {
        return redact_url(text);
    }
    match text.rfind('@') {
        Some(at) => match text[..at].rfind(':') {
            Some(colon) if !text[colon..at].contains('/') => format!("{}:***{}", &text[..colon], &text[at..]),
            _ => text.to_string(),
        },
        None => text.to_string(),
    }
}

/// Returns `url` with any password replaced by `***`, for messages and logs.
///
/// ```
/// use schema_sync_core::url::redact_url;
/// assert_eq!(redact_url("postgres://me:s3cret@db:5432/app"), "postgres://me:***@db:5432/app");
/// assert_eq!(redact_url("postgres://db/app?password=x&sslmode=require"), "postgres://db/app?password=***&sslmode=require");
/// ```
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..].find(['/', '?', '#']).map(|i| i + rest_start).unwrap_or(out.len());
        if let Some(at) = out[rest_start..authority_end].rfind('@').map(|i| i + rest_start) {
            if let Some(colon) = out[rest_start..at].find(':').map(|i| i + rest_start) {
                out.replace_range(colon + 1..at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let redacted: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect();
        out = format!("{head}{}", redacted.join("&"));
    }
    out
}
