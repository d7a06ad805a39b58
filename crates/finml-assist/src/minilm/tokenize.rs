//! WordPiece tokenisation with the model's own `tokenizer.json`, set to what
//! sentence-transformers does rather than what the file says: the file pads every input to 128
//! tokens and truncates at 128, sentence-transformers pads to the longest text of the batch and
//! truncates at its `max_seq_length`, 256.

use std::path::Path;

use tokenizers::{Tokenizer, TruncationParams};

use super::{EncoderError, MAX_TOKENS};

pub(crate) struct WordPiece {
    tokenizer: Tokenizer,
}

/// A batch of token ids, padded to its longest text, row-major `[rows, len]`.
pub(crate) struct Tokens {
    pub ids: Vec<i64>,
    pub type_ids: Vec<i64>,
    /// True at padding positions.
    pub padding: Vec<bool>,
    pub rows: usize,
    pub len: usize,
}

impl WordPiece {
    pub fn load(dir: &Path) -> Result<WordPiece, EncoderError> {
        let path = dir.join("tokenizer.json");
        let format = |problem: String| EncoderError::Format {
            path: path.clone(),
            problem,
        };
        let mut tokenizer = Tokenizer::from_file(&path).map_err(|e| format(e.to_string()))?;
        let truncation = TruncationParams {
            max_length: MAX_TOKENS,
            ..tokenizer.get_truncation().cloned().unwrap_or_default()
        };
        tokenizer
            .with_truncation(Some(truncation))
            .map_err(|e| format(e.to_string()))?;
        // Padding is ours (`encode`), to the longest text of the batch.
        tokenizer.with_padding(None);
        Ok(WordPiece { tokenizer })
    }

    /// `[CLS] text [SEP]` for each text, truncated at `MAX_TOKENS` tokens in all.
    pub fn encode(&self, texts: &[&str]) -> Result<Tokens, EncoderError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
        let rows = encodings.len();
        let len = encodings.iter().map(|e| e.len()).max().unwrap_or(0);
        // Padding ids are never seen: attention masks those keys and pooling drops them.
        let mut tokens = Tokens {
            ids: vec![0; rows * len],
            type_ids: vec![0; rows * len],
            padding: vec![true; rows * len],
            rows,
            len,
        };
        for (row, encoding) in encodings.iter().enumerate() {
            let start = row * len;
            for (p, (&id, &type_id)) in encoding
                .get_ids()
                .iter()
                .zip(encoding.get_type_ids())
                .enumerate()
            {
                tokens.ids[start + p] = i64::from(id);
                tokens.type_ids[start + p] = i64::from(type_id);
                tokens.padding[start + p] = false;
            }
        }
        Ok(tokens)
    }
}
