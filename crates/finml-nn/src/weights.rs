//! Weights on disk, in burn's burnpack format.
//!
//! Constraints: the same training must give the same file byte for byte (a model package is
//! compared and hashed as bytes), and every file written before must still load. burnpack
//! stores each parameter's `ParamId` beside its values, and burn draws those ids at random when
//! it builds a layer, so two identical trainings wrote files that differed in their ids alone.
//! Solution: the copy that is saved has its parameters numbered in the module's visiting
//! order. Loading matches parameters by their path in the module, never by id, so files with
//! random ids load as before. Trade-off: a loaded network carries the numbered ids; ids only
//! key optimiser state, which a weights file does not hold.

use std::path::Path;

use burn::module::{Module, ModuleMapper, Param, ParamId, ParameterValue};
use burn::tensor::{Bool, Int, Tensor};

use crate::NnError;

/// Writes a network's weights to one file; equal weights give equal bytes.
pub fn save_weights<M: Module + Clone>(network: &M, path: &Path) -> Result<(), NnError> {
    network
        .clone()
        .map(&mut SequentialIds::default())
        .save_file(path)
        .map_err(|e| NnError::Weights(e.to_string()))
}

/// Reads weights written by [`save_weights`] (or by any earlier finml, whose files carry
/// random parameter ids) into a network of the same architecture.
pub fn load_weights<M: Module>(blank: M, path: &Path) -> Result<M, NnError> {
    blank
        .try_load_file(path)
        .map_err(|e| NnError::Weights(e.to_string()))
}

/// Gives every parameter its place in the module's visiting order as its id.
#[derive(Default)]
struct SequentialIds {
    next: u64,
}

impl SequentialIds {
    fn renumber<T: ParameterValue>(&mut self, mut param: Param<T>) -> Param<T> {
        param.id = ParamId::from(self.next);
        self.next += 1;
        param
    }
}

impl ModuleMapper for SequentialIds {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        self.renumber(param)
    }

    fn map_int<const D: usize>(&mut self, param: Param<Tensor<D, Int>>) -> Param<Tensor<D, Int>> {
        self.renumber(param)
    }

    fn map_bool<const D: usize>(
        &mut self,
        param: Param<Tensor<D, Bool>>,
    ) -> Param<Tensor<D, Bool>> {
        self.renumber(param)
    }
}
