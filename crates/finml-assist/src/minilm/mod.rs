//! A pretrained sentence encoder on burn: all-MiniLM-L6-v2 (a 6-layer BERT, hidden size 384),
//! its weights read from the model's `model.safetensors`, its text cut by the model's own
//! WordPiece `tokenizer.json`, and each sentence's vector the mean of its real tokens' hidden
//! states, L2-normalised: what sentence-transformers computes, so that its embeddings (and any
//! threshold chosen on them) carry over. `.ci/fetch-minilm.sh` fetches the model.

mod bert;
mod gelu;
mod load;
mod tokenize;

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Int, Tensor, TensorData};

use bert::Bert;
use load::{BertConfig, load_bert};
use tokenize::{Tokens, WordPiece};

/// Longest input in tokens, `[CLS]` and `[SEP]` included: sentence-transformers'
/// `max_seq_length` for this model. Longer texts are truncated.
pub const MAX_TOKENS: usize = 256;

/// Texts encoded together: a bound on memory (the attention scores grow with the batch times
/// the square of its longest text), and sentence-transformers' default batch size.
const BATCH: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    #[error(
        "{}: no all-MiniLM-L6-v2 model here (model.safetensors missing); run .ci/fetch-minilm.sh to fetch it",
        .0.display()
    )]
    Missing(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {problem}", path.display())]
    Format { path: PathBuf, problem: String },
    #[error("tokenising: {0}")]
    Tokenize(String),
    #[error("reading the encoder's output: {0}")]
    Output(String),
}

/// all-MiniLM-L6-v2 on burn: text in, unit-length sentence embeddings out.
pub struct SentenceEncoder {
    bert: Bert,
    tokenizer: WordPiece,
    hidden: usize,
    device: Device,
}

impl SentenceEncoder {
    /// The model in `dir`: `config.json`, `model.safetensors` and `tokenizer.json`, as
    /// `.ci/fetch-minilm.sh` unpacks them.
    ///
    /// ```no_run
    /// use finml_assist::SentenceEncoder;
    /// let encoder = SentenceEncoder::load("target/models/all-MiniLM-L6-v2".as_ref())?;
    /// let vectors = encoder.embed(&["I lost my card", "My card is missing"])?;
    /// let cosine: f32 = vectors[0].iter().zip(&vectors[1]).map(|(a, b)| a * b).sum();
    /// println!("{} dimensions, cosine {cosine:.3}", encoder.dim());
    /// # Ok::<(), finml_assist::EncoderError>(())
    /// ```
    pub fn load(dir: &Path) -> Result<SentenceEncoder, EncoderError> {
        if !dir.join("model.safetensors").is_file() {
            return Err(EncoderError::Missing(dir.to_path_buf()));
        }
        let device = finml_nn::inference_device();
        let config = BertConfig::read(dir)?;
        Ok(SentenceEncoder {
            bert: load_bert(dir, &config, &device)?,
            tokenizer: WordPiece::load(dir)?,
            hidden: config.hidden_size,
            device,
        })
    }

    /// Length of each embedding (384).
    pub fn dim(&self) -> usize {
        self.hidden
    }

    /// One L2-normalised embedding per text, in order. Texts are encoded 32 at a time, each
    /// batch padded to its longest text; padding never changes a text's embedding.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        // Longest first, as sentence-transformers does, so that each batch holds texts of
        // similar length and pads little.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
        let mut embeddings = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            let tokens = self.tokenizer.encode(&batch)?;
            for (&i, embedding) in chunk.iter().zip(self.embed_tokens(&tokens)?) {
                embeddings[i] = embedding;
            }
        }
        Ok(embeddings)
    }

    fn embed_tokens(&self, tokens: &Tokens) -> Result<Vec<Vec<f32>>, EncoderError> {
        let shape = [tokens.rows, tokens.len];
        let int = |values: &[i64]| -> Tensor<2, Int> {
            Tensor::from_data(TensorData::new(values.to_vec(), shape), &self.device)
        };
        let real: Vec<f32> = tokens.padding.iter().map(|&p| f32::from(!p)).collect();
        let real: Tensor<3> = Tensor::from_data(
            TensorData::new(real, [tokens.rows, tokens.len, 1]),
            &self.device,
        );
        let hidden = self
            .bert
            .forward(int(&tokens.ids), int(&tokens.type_ids), &tokens.padding);
        let pooled = pool(hidden, real).reshape([tokens.rows, self.hidden]);
        let values = pooled
            .into_data()
            .try_into_vec::<f32>()
            .map_err(|e| EncoderError::Output(format!("{e:?}")))?;
        Ok(values.chunks(self.hidden).map(<[f32]>::to_vec).collect())
    }
}

/// sentence-transformers' mean pooling over real tokens, then `normalize`: `[rows, 1, hidden]`.
/// The floors are theirs (1e-9 tokens, 1e-12 norm), so that the results agree at the edges too.
fn pool(hidden: Tensor<3>, real: Tensor<3>) -> Tensor<3> {
    let counts = real.clone().sum_dim(1).clamp_min(1e-9);
    let mean = (hidden * real).sum_dim(1) / counts;
    let norm = mean
        .clone()
        .powi_scalar(2)
        .sum_dim(2)
        .sqrt()
        .clamp_min(1e-12);
    mean / norm
}
