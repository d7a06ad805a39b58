//! The BERT encoder of all-MiniLM-L6-v2, for inference only: word + position + token-type
//! embeddings, then post-norm layers of multi-head self-attention and a GELU feed-forward block.
//!
//! The weights are plain tensors rather than burn `Module`s with `Param`s: nothing here is
//! trained, and plain tensors let `load` build the network straight from the safetensors file
//! without first initialising (and then overwriting) 22 million random parameters.

use burn::tensor::activation::gelu;
use burn::tensor::module::{attention, layer_norm, linear};
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Bool, Int, Tensor};

/// A linear layer, its weight laid out `[in, out]` as burn's `linear` expects.
pub(crate) struct Dense {
    pub weight: Tensor<2>,
    pub bias: Tensor<1>,
}

impl Dense {
    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
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
    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
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

impl Layer {
    /// `padding` is `[batch, heads, len, len]`, true where the key is a padding token.
    fn forward(&self, x: Tensor<3>, padding: Tensor<4, Bool>, heads: usize) -> Tensor<3> {
        let [batch, len, hidden] = x.dims();
        let split = |t: Tensor<3>| {
            t.reshape([batch, len, heads, hidden / heads])
                .swap_dims(1, 2)
        };
        let context = attention(
            split(self.query.forward(x.clone())),
            split(self.key.forward(x.clone())),
            split(self.value.forward(x.clone())),
            Some(padding),
            None,
            // The default scale is BERT's 1/sqrt(head size).
            AttentionModuleOptions::default(),
        )
        .swap_dims(1, 2)
        .reshape([batch, len, hidden]);
        let x = self
            .attention_norm
            .forward(self.attention_output.forward(context) + x);
        // burn's `gelu` is the exact erf form, which is BERT's "gelu" (not the tanh estimate).
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
    /// Hidden states `[batch, len, hidden]`; `padding` is `[batch, len]`, true at padding.
    pub fn forward(
        &self,
        ids: Tensor<2, Int>,
        type_ids: Tensor<2, Int>,
        padding: Tensor<2, Bool>,
    ) -> Tensor<3> {
        let [batch, len] = ids.dims();
        // Every query ignores the padded keys; padded queries produce values that pooling drops.
        let padding = padding
            .reshape([batch, 1, 1, len])
            .expand([batch, self.heads, len, len]);
        let mut x = self.embeddings.forward(ids, type_ids);
        for layer in &self.layers {
            x = layer.forward(x, padding.clone(), self.heads);
        }
        x
    }
}
