//! Builds the BERT encoder from a Hugging Face model folder: `config.json` for the shape and
//! `model.safetensors` for the weights, every tensor checked for its dtype and shape so that a
//! different checkpoint fails with the name of the first tensor that does not fit.

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Tensor, TensorData};
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;

use super::bert::{Bert, Dense, Embeddings, Layer, Norm};
use super::{EncoderError, MAX_TOKENS};

/// The fields of `config.json` that fix the network's shape.
#[derive(Debug, Deserialize)]
pub(crate) struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    pub hidden_act: String,
}

impl BertConfig {
    pub fn read(dir: &Path) -> Result<BertConfig, EncoderError> {
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|source| EncoderError::Io {
            path: path.clone(),
            source,
        })?;
        let config: BertConfig =
            serde_json::from_str(&text).map_err(|error| EncoderError::Format {
                path: path.clone(),
                problem: error.to_string(),
            })?;
        config
            .check()
            .map_err(|problem| EncoderError::Format { path, problem })?;
        Ok(config)
    }

    /// Only what `bert.rs` implements: erf GELU, heads that split the hidden size, and a
    /// position for each of the `MAX_TOKENS` tokens a text may keep.
    fn check(&self) -> Result<(), String> {
        if self.max_position_embeddings < MAX_TOKENS {
            return Err(format!(
                "max_position_embeddings {} is under the {MAX_TOKENS} tokens a text may keep",
                self.max_position_embeddings
            ));
        }
        if self.hidden_act != "gelu" {
            return Err(format!(
                "hidden_act {:?} is not supported (only \"gelu\")",
                self.hidden_act
            ));
        }
        if self.num_attention_heads == 0 || self.hidden_size % self.num_attention_heads != 0 {
            return Err(format!(
                "{} attention heads do not divide hidden_size {}",
                self.num_attention_heads, self.hidden_size
            ));
        }
        Ok(())
    }
}

/// The tensors of one safetensors file, read as f32 burn tensors.
struct Weights<'a> {
    tensors: SafeTensors<'a>,
    path: PathBuf,
    device: &'a Device,
}

impl Weights<'_> {
    fn values(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EncoderError> {
        let problem = |problem: String| EncoderError::Format {
            path: self.path.clone(),
            problem: format!("tensor {name}: {problem}"),
        };
        let view = self
            .tensors
            .tensor(name)
            .map_err(|error| problem(error.to_string()))?;
        if view.dtype() != Dtype::F32 || view.shape() != shape {
            return Err(problem(format!(
                "expected F32 {shape:?}, found {:?} {:?}",
                view.dtype(),
                view.shape()
            )));
        }
        Ok(view
            .data()
            .chunks_exact(4)
            .map(|bytes| f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
            .collect())
    }

    fn vector(&self, name: &str, len: usize) -> Result<Tensor<1>, EncoderError> {
        let values = self.values(name, &[len])?;
        Ok(Tensor::from_data(
            TensorData::new(values, [len]),
            self.device,
        ))
    }

    fn matrix(&self, name: &str, shape: [usize; 2]) -> Result<Tensor<2>, EncoderError> {
        let values = self.values(name, &shape)?;
        Ok(Tensor::from_data(
            TensorData::new(values, shape),
            self.device,
        ))
    }

    /// A PyTorch `Linear` (weight `[out, in]`), transposed here once into burn's `[in, out]`
    /// so that every forward pass multiplies contiguous memory.
    fn dense(&self, prefix: &str, inputs: usize, outputs: usize) -> Result<Dense, EncoderError> {
        let stored = self.values(&format!("{prefix}.weight"), &[outputs, inputs])?;
        let mut weight = vec![0f32; stored.len()];
        for (o, row) in stored.chunks_exact(inputs).enumerate() {
            for (i, &value) in row.iter().enumerate() {
                weight[i * outputs + o] = value;
            }
        }
        Ok(Dense {
            weight: Tensor::from_data(TensorData::new(weight, [inputs, outputs]), self.device),
            bias: self.vector(&format!("{prefix}.bias"), outputs)?,
        })
    }

    fn norm(&self, prefix: &str, config: &BertConfig) -> Result<Norm, EncoderError> {
        Ok(Norm {
            gamma: self.vector(&format!("{prefix}.weight"), config.hidden_size)?,
            beta: self.vector(&format!("{prefix}.bias"), config.hidden_size)?,
            epsilon: config.layer_norm_eps,
        })
    }

    fn embeddings(&self, config: &BertConfig) -> Result<Embeddings, EncoderError> {
        let hidden = config.hidden_size;
        Ok(Embeddings {
            words: self.matrix(
                "embeddings.word_embeddings.weight",
                [config.vocab_size, hidden],
            )?,
            positions: self.matrix(
                "embeddings.position_embeddings.weight",
                [config.max_position_embeddings, hidden],
            )?,
            token_types: self.matrix(
                "embeddings.token_type_embeddings.weight",
                [config.type_vocab_size, hidden],
            )?,
            norm: self.norm("embeddings.LayerNorm", config)?,
        })
    }

    fn layer(&self, index: usize, config: &BertConfig) -> Result<Layer, EncoderError> {
        let prefix = format!("encoder.layer.{index}");
        let (hidden, inner) = (config.hidden_size, config.intermediate_size);
        let attention = format!("{prefix}.attention");
        Ok(Layer {
            query: self.dense(&format!("{attention}.self.query"), hidden, hidden)?,
            key: self.dense(&format!("{attention}.self.key"), hidden, hidden)?,
            value: self.dense(&format!("{attention}.self.value"), hidden, hidden)?,
            attention_output: self.dense(&format!("{attention}.output.dense"), hidden, hidden)?,
            attention_norm: self.norm(&format!("{attention}.output.LayerNorm"), config)?,
            intermediate: self.dense(&format!("{prefix}.intermediate.dense"), hidden, inner)?,
            output: self.dense(&format!("{prefix}.output.dense"), inner, hidden)?,
            output_norm: self.norm(&format!("{prefix}.output.LayerNorm"), config)?,
        })
    }
}

/// The encoder described by `config`, its weights from `dir/model.safetensors`. The pooler
/// (`pooler.dense`) is not loaded: sentence-transformers mean-pools the hidden states instead.
pub(crate) fn load_bert(
    dir: &Path,
    config: &BertConfig,
    device: &Device,
) -> Result<Bert, EncoderError> {
    let path = dir.join("model.safetensors");
    let bytes = std::fs::read(&path).map_err(|source| EncoderError::Io {
        path: path.clone(),
        source,
    })?;
    let tensors = SafeTensors::deserialize(&bytes).map_err(|error| EncoderError::Format {
        path: path.clone(),
        problem: error.to_string(),
    })?;
    let weights = Weights {
        tensors,
        path,
        device,
    };
    Ok(Bert {
        embeddings: weights.embeddings(config)?,
        layers: (0..config.num_hidden_layers)
            .map(|index| weights.layer(index, config))
            .collect::<Result<_, _>>()?,
        heads: config.num_attention_heads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(changes: &str) -> BertConfig {
        let mut json: serde_json::Value = serde_json::from_str(
            r#"{"vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6,
                "num_attention_heads": 12, "intermediate_size": 1536,
                "max_position_embeddings": 512, "type_vocab_size": 2,
                "layer_norm_eps": 1e-12, "hidden_act": "gelu"}"#,
        )
        .unwrap();
        let changes: serde_json::Value = serde_json::from_str(changes).unwrap();
        for (key, value) in changes.as_object().unwrap() {
            json[key] = value.clone();
        }
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn minilm_shape_is_accepted_and_unsupported_ones_are_named() {
        assert!(config("{}").check().is_ok());
        let error = config(r#"{"hidden_act": "relu"}"#).check().unwrap_err();
        assert!(error.contains("relu"), "{error}");
        let error = config(r#"{"num_attention_heads": 5}"#).check().unwrap_err();
        assert!(error.contains("5 attention heads"), "{error}");
        let error = config(r#"{"max_position_embeddings": 128}"#)
            .check()
            .unwrap_err();
        assert!(error.contains("128"), "{error}");
    }
}
