//! The nullability check that `sqlc vet` gives Go users, for cornucopia.
//!
//! cornucopia types every selected column as non-null unless the SQL annotates
//! it (`name?`). This prepares every query against the migrated schema and
//! reports each column that can be NULL but is not annotated: a column nullable
//! in the catalog, or one from a table on the nullable side of an outer join.
//! Computed expressions have no catalog origin and are not judged.
//!
//! It reads the annotations itself because cornucopia's parser is private; the
//! subset understood here is the one queries/ uses (`--:` row types, `--!`
//! queries with an optional param list and a named or inline row).

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
};

use tokio_postgres::Client;

use crate::AnyError;

/// One annotated query of a `queries/*.sql` file.
#[derive(Debug)]
pub struct Query {
    file: PathBuf,
    name: String,
    /// The statement with `:name` parameters turned into `$n`.
    sql: String,
    /// Columns annotated nullable (`column?`).
    nullable: HashSet<String>,
}

pub fn read_queries(dir: &Path) -> Result<Vec<Query>, AnyError> {
    let mut files: Vec<_> =
        std::fs::read_dir(dir)?.map(|entry| entry.map(|entry| entry.path())).collect::<Result<_, _>>()?;
    files.retain(|file| file.extension().is_some_and(|ext| ext == "sql"));
    files.sort();
    let mut queries = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        queries.extend(parse_module(&file, &text));
    }
    Ok(queries)
}

fn parse_module(file: &Path, text: &str) -> Vec<Query> {
    let mut row_types: HashMap<String, HashSet<String>> = HashMap::new();
    for line in text.lines() {
        if let Some(decl) = line.strip_prefix("--:") {
            let (name, fields, _) = split_name_and_group(decl.trim());
            row_types.insert(name.to_owned(), nullable_fields(fields));
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut queries = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(annotation) = line.strip_prefix("--!") else {
            continue;
        };
        let (name, row_name, row_group) = parse_annotation(annotation.trim());
        let mut nullable = nullable_fields(row_group);
        if let Some(declared) = row_types.get(row_name) {
            nullable.extend(declared.iter().cloned());
        }
        let mut sql = String::new();
        for body in lines[index + 1..].iter().filter(|l| !l.starts_with("--")) {
            sql.push_str(body);
            sql.push('\n');
            if body.trim_end().ends_with(';') {
                break;
            }
        }
        queries.push(Query { file: file.to_owned(), name: name.to_owned(), sql: numbered_params(&sql), nullable });
    }
    queries
}

/// `name (params?) : Row(fields?)` -> (name, row name, row group). Every part
/// after the name is optional; params are not vetted.
fn parse_annotation(annotation: &str) -> (&str, &str, &str) {
    let (name, _params, tail) = split_name_and_group(annotation);
    match tail.trim_start().strip_prefix(':') {
        Some(row) => {
            let (row_name, group, _) = split_name_and_group(row.trim_start());
            (name, row_name, group)
        }
        None => (name, "", ""),
    }
}

/// `Name(a?, b) tail` -> ("Name", "a?, b", " tail"); without parentheses the group is empty.
fn split_name_and_group(text: &str) -> (&str, &str, &str) {
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len());
    let (name, rest) = text.split_at(end);
    match rest.trim_start().strip_prefix('(').and_then(|inner| inner.split_once(')')) {
        Some((group, tail)) => (name, group, tail),
        None => (name, "", rest),
    }
}

fn nullable_fields(group: &str) -> HashSet<String> {
    group.split(',').filter_map(|field| field.trim().strip_suffix('?')).map(str::to_owned).collect()
}

/// Rewrites cornucopia's `:name` parameters as PostgreSQL's `$n`, leaving
/// `::type` casts and string literals alone.
fn numbered_params(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut names: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut i = 0;
    let mut in_string = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            in_string = !in_string;
        }
        let starts_param = !in_string
            && c == ':'
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic() || *n == '_')
            && (i == 0 || chars[i - 1] != ':');
        if !starts_param {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
            end += 1;
        }
        let name: String = chars[start..end].iter().collect();
        let position = match names.iter().position(|known| *known == name) {
            Some(position) => position,
            None => {
                names.push(name);
                names.len() - 1
            }
        };
        out.push_str(&format!("${}", position + 1));
        i = end;
    }
    out
}

/// Names of tables that an outer join can fill with NULLs. Conservative: a
/// table on the nullable side counts under every alias.
fn outer_joined_tables(sql: &str) -> HashSet<String> {
    let tokens = tokenize(sql);
    let mut seen = Vec::new();
    let mut nullable = HashSet::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        if token == "from" || token == "join" {
            let operand = operand_tables(&tokens, i + 1);
            let kind = join_kind(&tokens, i);
            if kind == "right" || kind == "full" {
                nullable.extend(seen.iter().cloned());
            }
            if kind == "left" || kind == "full" {
                nullable.extend(operand.iter().cloned());
            }
            seen.extend(operand);
        }
        i += 1;
    }
    nullable
}

/// For `join` at `at`: "left", "right", "full" or "" (inner, cross, or a FROM).
fn join_kind(tokens: &[String], at: usize) -> &'static str {
    if tokens[at] != "join" {
        return "";
    }
    let before = |n: usize| at.checked_sub(n).map(|i| tokens[i].as_str());
    let word = if before(1) == Some("outer") { before(2) } else { before(1) };
    match word {
        Some("left") => "left",
        Some("right") => "right",
        Some("full") => "full",
        _ => "",
    }
}

/// Tables named by the operand starting at `at`: a table, or every table a
/// parenthesised subquery reads.
fn operand_tables(tokens: &[String], mut at: usize) -> Vec<String> {
    while tokens.get(at).is_some_and(|t| t == "lateral" || t == "only") {
        at += 1;
    }
    match tokens.get(at).map(String::as_str) {
        Some("(") => {
            let mut depth = 0;
            let mut tables = Vec::new();
            for (offset, token) in tokens[at..].iter().enumerate() {
                match token.as_str() {
                    "(" => depth += 1,
                    ")" => depth -= 1,
                    "from" | "join" => tables.extend(operand_tables(tokens, at + offset + 1)),
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
            }
            tables
        }
        Some(name) => vec![name.rsplit('.').next().unwrap_or(name).to_owned()],
        None => Vec::new(),
    }
}

fn tokenize(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in sql.chars() {
        if c.is_alphanumeric() || c == '_' || c == '.' || c == '"' {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word).replace('"', ""));
        }
        if c == '(' || c == ')' {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word.replace('"', ""));
    }
    tokens
}

/// Prepares every query and lists each unannotated column that can be NULL.
pub async fn vet(client: &Client, queries: &[Query]) -> Result<Vec<String>, AnyError> {
    // The tool's own catalog lookup; the service's SQL lives in queries/.
    let origin = client
        .prepare(
            "SELECT c.relname::text, a.attnotnull FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid WHERE a.attrelid = $1 AND a.attnum = $2",
        )
        .await?;
    let mut problems = Vec::new();
    for query in queries {
        let where_ = format!("{}: {}", query.file.display(), query.name);
        let statement = client.prepare(&query.sql).await.map_err(|error| {
            // The server's own message says what is wrong with the statement.
            let detail = error.as_db_error().map_or_else(|| error.to_string(), |db| db.message().to_owned());
            format!("{where_}: does not prepare: {detail}")
        })?;
        let outer = outer_joined_tables(&query.sql);
        for column in statement.columns() {
            let (Some(table), Some(attnum)) = (column.table_oid(), column.column_id()) else {
                continue;
            };
            let row = client.query_one(&origin, &[&table, &attnum]).await?;
            let (relname, not_null): (String, bool) = (row.get(0), row.get(1));
            let reason = if !not_null {
                format!("{relname}.{} is nullable in the catalog", column.name())
            } else if outer.contains(&relname) {
                format!("{relname} is on the nullable side of an outer join")
            } else {
                continue;
            };
            if !query.nullable.contains(column.name()) {
                problems.push(format!(
                    "{where_}: column `{}` can be NULL ({reason}) but is not annotated `{}?`",
                    column.name(),
                    column.name()
                ));
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> HashSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn annotations_with_named_and_inline_rows_are_read() {
        let text = "--: Row(a?, b)\n\
                    --! named (p?) : Row\n--- doc\nSELECT a, b FROM t WHERE x = :p;\n\
                    --! inline : (c?)\nSELECT c\nFROM t;\n\
                    --! plain\nDELETE FROM t WHERE id = :id;\n";
        let queries = parse_module(Path::new("q.sql"), text);
        let summary: Vec<_> = queries.iter().map(|q| (q.name.as_str(), q.sql.trim(), q.nullable.clone())).collect();
        assert_eq!(
            summary,
            vec![
                ("named", "SELECT a, b FROM t WHERE x = $1;", set(&["a"])),
                ("inline", "SELECT c\nFROM t;", set(&["c"])),
                ("plain", "DELETE FROM t WHERE id = $1;", set(&[])),
            ]
        );
    }

    #[test]
    fn params_are_numbered_once_each_and_casts_and_strings_are_kept() {
        assert_eq!(numbered_params("SELECT :a::text, ':no', :b, :a"), "SELECT $1::text, ':no', $2, $1");
    }

    #[test]
    fn left_join_makes_the_joined_table_nullable() {
        let sql = "SELECT * FROM users u LEFT OUTER JOIN public.files f ON f.user_id = u.id";
        assert_eq!(outer_joined_tables(sql), set(&["files"]));
    }

    #[test]
    fn lateral_subquery_tables_count_as_joined() {
        let sql = "SELECT * FROM users u LEFT JOIN LATERAL (SELECT * FROM files x) f ON true";
        assert_eq!(outer_joined_tables(sql), set(&["files"]));
    }

    #[test]
    fn right_and_full_joins_make_the_earlier_tables_nullable() {
        assert_eq!(outer_joined_tables("SELECT 1 FROM a RIGHT JOIN b ON true"), set(&["a"]));
        assert_eq!(outer_joined_tables("SELECT 1 FROM a FULL JOIN b ON true"), set(&["a", "b"]));
        assert_eq!(outer_joined_tables("SELECT 1 FROM a JOIN b ON true"), set(&[]));
    }
}
