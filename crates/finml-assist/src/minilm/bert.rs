//! The BERT encoder of all-MiniLM-L6-v2, for inference only: word + position + token-type
//! embeddings, then post-norm layers of multi-head self-attention and a GELU feed-forward block.
//!
//! The weights are plain tensors rather than burn `Module`s with `Param`s: nothing here is
//! trained, and plain tensors let `load` build the network straight from the safetensors file
//! without first initialising (and then overwriting) 22 million random parameters.
//!
//! Constraints: a batch pads its texts to the longest, and almost all the time goes into the
//! per-token dense layers (profile in BENCHMARKS.md). Solution: every per-token step (dense
//! layers, GELU, norms, residual adds) runs on the real tokens only, packed as `[tokens,
//! hidden]`; only attention, which mixes tokens within a text, sees the padded `[batch, len]`
//! layout, scattered from and gathered back to the packed rows. Trade-off: one scatter and
//! one gather per layer, against padding that is 30-45% of a batch's tokens.

use burn::tensor::module::{attention, layer_norm, linear};
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Bool, IndexingUpdateOp, Int, Tensor, TensorData};

use super::gelu::gelu;

/// A linear layer, its weight laid out `[in, out]` as burn's `linear` expects.
pub(crate) struct Dense {
    pub weight: Tensor<2>,
    pub bias: Tensor<1>,
}

impl Dense {
    fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        linear(x, self.weight.clone(), Some(self.bias.clone()))
    }
}

/// Layer normalisation over the hidden dimension.
pub(crate) struct Norm {
    pub gamma: Tensor<1>,
    pub beta: Tensor<1>,
    pub epsilon: f64,
}

impl Norm {
    fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        layer_norm(x, self.gamma.clone(), Some(self.beta.clone()), self.epsilon)
    }
}

pub(crate) struct Embeddings {
    /// `[vocab, hidden]`
    pub words: Tensor<2>,
    /// `[max_positions, hidden]`
    pub positions: Tensor<2>,
    /// `[type_vocab, hidden]`
    pub token_types: Tensor<2>,
    pub norm: Norm,
}

impl Embeddings {
    fn forward(&self, ids: Tensor<2, Int>, type_ids: Tensor<2, Int>) -> Tensor<3> {
        let [batch, len] = ids.dims();
        let hidden = self.words.dims()[1];
        let lookup = |table: &Tensor<2>, ids: Tensor<2, Int>| {
            table
                .clone()
                .select(0, ids.reshape([batch * len]))
                .reshape([batch, len, hidden])
        };
        // Positions are 0..len for every row (no left padding), so one slice broadcasts.
        let positions = self.positions.clone().slice([0..len]).unsqueeze::<3>();
        let sum = lookup(&self.words, ids) + lookup(&self.token_types, type_ids) + positions;
        self.norm.forward(sum)
    }
}

pub(crate) struct Layer {
    pub query: Dense,
    pub key: Dense,
    pub value: Dense,
    pub attention_output: Dense,
    pub attention_norm: Norm,
    pub intermediate: Dense,
    pub output: Dense,
    pub output_norm: Norm,
}

/// Where a batch's real tokens sit in its padded `[batch, len]` layout.
pub(crate) struct Packing {
    pub batch: usize,
    pub len: usize,
    /// Row-major positions (`row * len + token`) of the real tokens, in order; `None` when
    /// nothing is padding (a single text, or texts of one length), so packing is the identity.
    pub real: Option<Tensor<1, Int>>,
    /// `[batch, heads, len, len]`, true where the key is a padding token.
    pub padding: Tensor<4, Bool>,
}

impl Packing {
    /// `[batch * len, width]` rows, zero at padding, from the packed `[tokens, width]`.
    pub fn scatter(&self, packed: Tensor<2>) -> Tensor<2> {
        let Some(real) = &self.real else {
            return packed;
        };
        let width = packed.dims()[1];
        let zeros = Tensor::zeros([self.batch * self.len, width], &packed.device());
        zeros.select_assign(0, real.clone(), packed, IndexingUpdateOp::Assign)
    }

    fn gather(&self, padded: Tensor<2>) -> Tensor<2> {
        match &self.real {
            Some(real) => padded.select(0, real.clone()),
            None => padded,
        }
    }
}

impl Layer {
    /// One layer over the packed real tokens `[tokens, hidden]`.
    fn forward(&self, x: Tensor<2>, packing: &Packing, heads: usize) -> Tensor<2> {
        let hidden = x.dims()[1];
        let (batch, len) = (packing.batch, packing.len);
        let heads_of = |dense: &Dense| {
            packing
                .scatter(dense.forward(x.clone()))
                .reshape([batch, len, heads, hidden / heads])
                .swap_dims(1, 2)
        };
        let context = attention(
            heads_of(&self.query),
            heads_of(&self.key),
            heads_of(&self.value),
            Some(packing.padding.clone()),
            None,
            // The default scale is BERT's 1/sqrt(head size).
            AttentionModuleOptions::default(),
        )
        .swap_dims(1, 2)
        .reshape([batch * len, hidden]);
        let context = packing.gather(context);
        let x = self
            .attention_norm
            .forward(self.attention_output.forward(context) + x);
        let inner = gelu(self.intermediate.forward(x.clone()));
        self.output_norm.forward(self.output.forward(inner) + x)
    }
}

pub(crate) struct Bert {
    pub embeddings: Embeddings,
    pub layers: Vec<Layer>,
    pub heads: usize,
}

impl Bert {
    /// Hidden states `[batch, len, hidden]`, zero at padding; `padding` is `[batch, len]`,
    /// true at padding.
    pub fn forward(
        &self,
        ids: Tensor<2, Int>,
        type_ids: Tensor<2, Int>,
        padding: &[bool],
    ) -> Tensor<3> {
        let [batch, len] = ids.dims();
        let device = ids.device();
        let real: Vec<i64> = (0..batch * len)
            .filter(|&i| !padding[i])
            .map(|i| i as i64)
            .collect();
        let count = real.len();
        let mask: Tensor<2, Bool> =
            Tensor::from_data(TensorData::new(padding.to_vec(), [batch, len]), &device);
        // Every query ignores the padded keys; padded queries are never gathered back.
        let packing = Packing {
            batch,
            len,
            real: (count < batch * len)
                .then(|| Tensor::from_data(TensorData::new(real, [count]), &device)),
            padding: mask
                .reshape([batch, 1, 1, len])
                .expand([batch, self.heads, len, len]),
        };
        let embedded = self.embeddings.forward(ids, type_ids);
        let hidden = embedded.dims()[2];
        let mut x = packing.gather(embedded.reshape([batch * len, hidden]));
        for layer in &self.layers {
            x = layer.forward(x, &packing, self.heads);
        }
        packing.scatter(x).reshape([batch, len, hidden])
    }
}
