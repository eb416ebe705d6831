//! Where a TOML error is: the byte span of a `toml` error turned into the
//! line and the dotted field (`codes.a.retryable`) a user can go and fix;
//! and which TOML files a user's folder holds. Shared by the catalog and
//! log-format loaders.

/// Turn a `toml` error into the line and dotted field a user can go and fix,
/// and its message.
pub(crate) fn locate(text: &str, e: &toml::de::Error) -> (Option<usize>, Option<String>, String) {
    let message = e.message().trim().to_string();
    let missing = missing_field(&message);
    let (line, field) = match e.span() {
        // A required top-level table is missing: the error points at offset 0.
        Some(span) if span.is_empty() && span.start == 0 && missing.is_some() => {
            (None, missing.map(str::to_string))
        }
        Some(span) => {
            let line_no = text[..span.start.min(text.len())].matches('\n').count();
            (Some(line_no + 1), field_at(text, line_no, missing))
        }
        None => (None, missing.map(str::to_string)),
    };
    (line, field, message)
}

/// `missing field `name`` → `name`.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// The dotted field at a position: the table header in force, plus the key on
/// the line (or the missing field when the error points at a header).
fn field_at(text: &str, line_no: usize, missing: Option<&str>) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let line = lines.get(line_no)?.trim();
    if let Some(header) = table_header(line) {
        return Some(match missing {
            Some(m) => format!("{header}.{m}"),
            None => header,
        });
    }
    let header = lines[..line_no]
        .iter()
        .rev()
        .find_map(|l| table_header(l.trim()));
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches(['"', '\'']).to_string())
        .filter(|k| !k.is_empty());
    match (header, key) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(h), None) => Some(h),
        (None, None) => None,
    }
}

/// `[codes.slot_unavailable]` → `codes.slot_unavailable` (quotes removed).
fn table_header(line: &str) -> Option<String> {
    let inner = line.strip_prefix('[')?;
    let inner = inner.trim_start_matches('[');
    let end = inner.find(']')?;
    Some(inner[..end].trim().replace(['"', '\''], ""))
}

/// Every `*.toml` directly in `dir`, sorted by name; none when `dir` does
/// not exist (user catalogs and user formats are both such folders).
pub(crate) fn toml_files_in(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}
