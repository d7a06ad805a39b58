//! The spec's image layout: each applicant's inputs written row-major into a 28x28x1 image,
//! input `i` at pixel `(i / 28, i % 28)`, zeros elsewhere.

use crate::preprocess::Matrix;

pub const IMAGE_SIDE: usize = 28;
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "the model has {inputs} inputs after encoding, but a 28x28 image holds at most {IMAGE_PIXELS}: drop or group columns"
)]
pub struct TooManyInputs {
    pub inputs: usize,
}

/// Checks that `inputs` model inputs fit into one image.
pub fn check_fits(inputs: usize) -> Result<(), TooManyInputs> {
    if inputs > IMAGE_PIXELS {
        Err(TooManyInputs { inputs })
    } else {
        Ok(())
    }
}

/// Lays every row of `matrix` out as an image: `rows * 784` values, row-major.
pub fn to_images(matrix: &Matrix) -> Result<Vec<f32>, TooManyInputs> {
    check_fits(matrix.cols)?;
    let mut images = vec![0f32; matrix.rows * IMAGE_PIXELS];
    for (row, image) in images.chunks_exact_mut(IMAGE_PIXELS).enumerate() {
        image[..matrix.cols].copy_from_slice(matrix.row(row));
    }
    Ok(images)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_i_lands_at_row_i_div_28_column_i_mod_28() {
        let cols = 60;
        let matrix = Matrix {
            rows: 2,
            cols,
            data: (0..2 * cols).map(|v| v as f32 + 1.0).collect(),
        };
        let images = to_images(&matrix).unwrap();
        let second = &images[IMAGE_PIXELS..];
        for i in 0..cols {
            let (r, c) = (i / IMAGE_SIDE, i % IMAGE_SIDE);
            assert_eq!(second[r * IMAGE_SIDE + c], matrix.row(1)[i]);
        }
        assert!(second[cols..].iter().all(|&p| p == 0.0));
    }

    #[test]
    fn more_than_784_inputs_is_an_error_that_counts_them() {
        let err = check_fits(785).unwrap_err();
        assert!(err.to_string().contains("785 inputs"), "{err}");
        assert!(check_fits(784).is_ok());
    }
}
