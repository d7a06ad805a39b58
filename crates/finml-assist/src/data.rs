//! Labelled messages: tab-separated `text<TAB>intent` lines without a header.

use std::path::{Path, PathBuf};

use crate::AssistError;

/// The intent of messages that no intent covers; the classifier hands them to a person.
pub const OUT_OF_SCOPE: &str = "out_of_scope";

/// One labelled message and the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub intent: String,
    pub line: usize,
}

/// Reads a labelled file. Blank lines are skipped; any other line must be a non-empty text, one
/// tab, and an intent made of lowercase letters, digits and underscores.
pub fn read_examples(path: &Path) -> Result<Vec<Example>, AssistError> {
    let content = std::fs::read_to_string(path).map_err(|source| AssistError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let examples: Vec<Example> = content
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| parse_line(path, i + 1, line))
        .collect::<Result<_, _>>()?;
    if examples.is_empty() {
        return Err(AssistError::Empty(path.to_path_buf()));
    }
    Ok(examples)
}

fn parse_line(path: &Path, line: usize, text: &str) -> Result<Example, AssistError> {
    let bad = |column: usize, expected: &str| AssistError::Line {
        path: PathBuf::from(path),
        line,
        column,
        expected: expected.to_string(),
    };
    let fields: Vec<&str> = text.trim_end_matches('\r').split('\t').collect();
    match fields[..] {
        [_] => Err(bad(2, "a tab between the text and the intent")),
        [message, _] if message.trim().is_empty() => Err(bad(1, "a non-empty message text")),
        [message, intent] if is_intent_name(intent.trim()) => Ok(Example {
            text: message.trim().to_string(),
            intent: intent.trim().to_string(),
            line,
        }),
        [_, _] => Err(bad(
            2,
            "an intent name of lowercase letters, digits and underscores",
        )),
        _ => Err(bad(
            3,
            "exactly two columns (text, intent), not another tab",
        )),
    }
}

fn is_intent_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(content: &str) -> Result<Vec<Example>, AssistError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.tsv");
        std::fs::write(&path, content).unwrap();
        read_examples(&path)
    }

    #[test]
    fn reads_lines_and_skips_blank_ones() {
        let examples = read("lost my card\tcard_lost\r\n\nhi there\tout_of_scope\n").unwrap();
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[1].text, "hi there");
        assert_eq!(examples[1].intent, OUT_OF_SCOPE);
        assert_eq!(examples[1].line, 3);
    }

    #[test]
    fn errors_name_the_line_column_and_what_was_expected() {
        let cases = [
            ("ok\tcard_lost\nno tab here\n", 2, 2, "a tab"),
            ("  \tcard_lost\n", 1, 1, "non-empty message"),
            ("text\tCard Lost\n", 1, 2, "lowercase letters"),
            ("a\tb\tc\n", 1, 3, "exactly two columns"),
        ];
        for (content, line, column, expected) in cases {
            let message = read(content).unwrap_err().to_string();
            assert!(
                message.contains(&format!("line {line}, column {column}")),
                "{message}"
            );
            assert!(message.contains(expected), "{message}");
        }
        assert!(matches!(read("\n\n"), Err(AssistError::Empty(_))));
    }
}
