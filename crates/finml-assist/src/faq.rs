//! FAQ answering: each FAQ question embedded once into an index; a customer's message is
//! answered by the most similar questions, or handed to a person when even the best one is
//! not similar enough.
//!
//! ```text
//! INDEX/
//!   index.json    format, encoder folder, threshold, FAQ file's SHA-256, and per entry its id,
//!                 question, optional answer and embedding
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{file_sha256, read, write};
use crate::pretrained::{absolute, embed_redacted, to_json};
use crate::{AssistError, SentenceEncoder};

const FORMAT: &str = "finml-assist faq index 1";
const INDEX: &str = "index.json";

/// Below this cosine between a message and its nearest FAQ question, a person answers.
/// Chosen on `data/assist/train.tsv` (BENCHMARKS.md, "Assist: FAQ answers").
pub const FAQ_THRESHOLD: f64 = 0.35;

/// One FAQ entry as read from the file, and its line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqEntry {
    pub id: String,
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// Reads `id<TAB>question[<TAB>answer]` lines without a header; blank lines are skipped.
pub fn read_faq(path: &Path) -> Result<Vec<FaqEntry>, AssistError> {
    let content = read(path)?;
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    for (i, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry = parse_faq_line(path, i + 1, line)?;
        if !seen.insert(entry.id.clone()) {
            return Err(line_error(
                path,
                i + 1,
                1,
                &format!("an id not used before, not '{}' again", entry.id),
            ));
        }
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(AssistError::Empty(path.to_path_buf()));
    }
    Ok(entries)
}

fn line_error(path: &Path, line: usize, column: usize, expected: &str) -> AssistError {
    AssistError::Line {
        path: PathBuf::from(path),
        line,
        column,
        expected: expected.to_string(),
    }
}

fn parse_faq_line(path: &Path, line: usize, text: &str) -> Result<FaqEntry, AssistError> {
    let fields: Vec<&str> = text
        .trim_end_matches('\r')
        .split('\t')
        .map(str::trim)
        .collect();
    let (id, question, answer) = match fields[..] {
        [id, question] => (id, question, None),
        [id, question, answer] => (id, question, Some(answer)),
        [_] => {
            return Err(line_error(
                path,
                line,
                2,
                "a tab between the id and the question",
            ));
        }
        _ => {
            return Err(line_error(
                path,
                line,
                4,
                "at most three columns (id, question, answer), not another tab",
            ));
        }
    };
    if id.is_empty() {
        return Err(line_error(path, line, 1, "a non-empty id"));
    }
    if question.is_empty() {
        return Err(line_error(path, line, 2, "a non-empty question"));
    }
    Ok(FaqEntry {
        id: id.into(),
        question: question.into(),
        answer: answer.filter(|a| !a.is_empty()).map(String::from),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Indexed {
    #[serde(flatten)]
    entry: FaqEntry,
    embedding: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqMetadata {
    pub format: String,
    pub encoder: PathBuf,
    pub threshold: f64,
    pub faq_file: String,
    pub faq_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct IndexFile {
    metadata: FaqMetadata,
    entries: Vec<Indexed>,
}

/// An FAQ entry matched to a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub id: String,
    pub question: String,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// The best FAQ entries for a message, best first, and whether a person should answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answers {
    pub answers: Vec<Answer>,
    pub handoff: bool,
}

/// FAQ questions embedded with the pretrained encoder.
pub struct FaqIndex {
    pub metadata: FaqMetadata,
    encoder: SentenceEncoder,
    entries: Vec<Indexed>,
}

impl FaqIndex {
    /// Embeds the (redacted) questions of the FAQ file with the encoder in `encoder_dir`.
    pub fn build(faq: &Path, encoder_dir: &Path, threshold: f64) -> Result<FaqIndex, AssistError> {
        crate::model::check_threshold(threshold)?;
        let questions = read_faq(faq)?;
        let encoder = SentenceEncoder::load(encoder_dir)?;
        let embeddings = embed_redacted(&encoder, questions.iter().map(|q| q.question.as_str()))?;
        let entries = questions
            .into_iter()
            .zip(embeddings)
            .map(|(entry, embedding)| Indexed { entry, embedding })
            .collect();
        let metadata = FaqMetadata {
            format: FORMAT.into(),
            encoder: absolute(encoder_dir),
            threshold,
            faq_file: faq.display().to_string(),
            faq_sha256: file_sha256(faq)?,
        };
        Ok(FaqIndex {
            metadata,
            encoder,
            entries,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn save(&self, dir: &Path) -> Result<(), AssistError> {
        std::fs::create_dir_all(dir).map_err(|source| AssistError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let file = IndexFile {
            metadata: self.metadata.clone(),
            entries: self.entries.clone(),
        };
        write(&dir.join(INDEX), &to_json(dir, &file)?)
    }

    pub fn load(dir: &Path) -> Result<FaqIndex, AssistError> {
        let file: IndexFile =
            serde_json::from_str(&read(&dir.join(INDEX))?).map_err(|e| AssistError::Model {
                dir: dir.to_path_buf(),
                problem: format!("{INDEX} is not an FAQ index: {e}"),
            })?;
        let encoder = SentenceEncoder::load(&file.metadata.encoder)?;
        Ok(FaqIndex {
            metadata: file.metadata,
            encoder,
            entries: file.entries,
        })
    }

    /// The `top` most similar FAQ entries (cosine), and a hand-off when the best scores under
    /// `threshold` (the index's own when `None`).
    pub fn ask(
        &self,
        message: &str,
        top: usize,
        threshold: Option<f64>,
    ) -> Result<Answers, AssistError> {
        let threshold = threshold.unwrap_or(self.metadata.threshold);
        crate::model::check_threshold(threshold)?;
        let query = embed_redacted(&self.encoder, std::iter::once(message))?.remove(0);
        let mut answers: Vec<Answer> = self
            .entries
            .iter()
            .map(|e| Answer {
                id: e.entry.id.clone(),
                question: e.entry.question.clone(),
                score: f64::from(crate::cosine(&query, &e.embedding)),
                answer: e.entry.answer.clone(),
            })
            .collect();
        answers.sort_by(|a, b| b.score.total_cmp(&a.score));
        answers.truncate(top);
        let handoff = answers.first().is_none_or(|best| best.score < threshold);
        Ok(Answers { answers, handoff })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FaqEntry, AssistError> {
        parse_faq_line(Path::new("faq.tsv"), 7, text)
    }

    #[test]
    fn lines_with_and_without_an_answer_parse() {
        let two = parse("a1\tHow do I pay?").unwrap();
        assert_eq!((two.id.as_str(), two.answer), ("a1", None));
        let three = parse("a2\tWhy?\tBecause.").unwrap();
        assert_eq!(three.answer.as_deref(), Some("Because."));
    }

    #[test]
    fn bad_lines_name_the_line_and_what_was_expected() {
        for (text, expected) in [
            ("only an id", "a tab between the id and the question"),
            ("\tquestion", "a non-empty id"),
            ("id\t ", "a non-empty question"),
            ("id\tq\ta\textra", "at most three columns"),
        ] {
            let message = parse(text).unwrap_err().to_string();
            assert!(message.contains("faq.tsv, line 7"), "{message}");
            assert!(message.contains(expected), "{message}");
        }
    }
}
