//! Word tokenizer and vocabulary for the from-scratch transformer.
//!
//! Every text goes through [`redact`] first, so that a card or account number can never become
//! a vocabulary entry or a model input. Words are lowercased runs of letters and digits; a run of
//! digits alone becomes `[NUM]`, because an amount or an order number carries its meaning by
//! being a number, not by its value.

use std::collections::HashMap;

use crate::redact::redact;

pub const PAD: &str = "[PAD]";
pub const UNK: &str = "[UNK]";
pub const CLS: &str = "[CLS]";
pub const NUM: &str = "[NUM]";

/// Ids of the special tokens: their place at the head of every vocabulary.
pub const PAD_ID: u32 = 0;
pub const UNK_ID: u32 = 1;
pub const CLS_ID: u32 = 2;

/// The words of a message, after redaction: lowercase, split on anything that is not a letter
/// or a digit.
///
/// ```
/// use finml_assist::words;
/// assert_eq!(
///     words("My card 4111-1111-1111-1111 was DECLINED at 9.30!"),
///     ["my", "card", "card", "was", "declined", "at", "[NUM]", "[NUM]"]
/// );
/// ```
pub fn words(text: &str) -> Vec<String> {
    redact(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.chars().all(|c| c.is_ascii_digit()) {
                NUM.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect()
}

/// Word to id: the special tokens, then the training words seen at least `min_count` times,
/// most frequent first (ties alphabetically, so that the same data gives the same ids).
#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    tokens: Vec<String>,
    index: HashMap<String, u32>,
}

impl Vocab {
    pub fn build<'a>(texts: impl IntoIterator<Item = &'a str>, min_count: usize) -> Vocab {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for text in texts {
            for word in words(text) {
                *counts.entry(word).or_default() += 1;
            }
        }
        let mut frequent: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(w, n)| *n >= min_count.max(1) && ![PAD, UNK, CLS].contains(&w.as_str()))
            .collect();
        frequent.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let specials = [PAD, UNK, CLS].map(String::from);
        Vocab::from_tokens(
            specials
                .into_iter()
                .chain(frequent.into_iter().map(|(w, _)| w)),
        )
    }

    /// A vocabulary from its tokens in id order, as [`Vocab::tokens`] lists them.
    pub fn from_tokens(tokens: impl IntoIterator<Item = String>) -> Vocab {
        let tokens: Vec<String> = tokens.into_iter().collect();
        let index = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Vocab { tokens, index }
    }

    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// `[CLS]` and the ids of the message's words, at most `max_len` ids in all; unknown words
    /// are `[UNK]`.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let ids = words(text)
            .into_iter()
            .map(|w| self.index.get(&w).copied().unwrap_or(UNK_ID));
        std::iter::once(CLS_ID).chain(ids).take(max_len).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_orders_by_count_then_alphabet_and_drops_rare_words() {
        let vocab = Vocab::build(["lost card", "card lost", "stolen card", "zebra"], 2);
        assert_eq!(vocab.tokens(), [PAD, UNK, CLS, "card", "lost"]);
    }

    #[test]
    fn encode_starts_with_cls_maps_unknown_words_and_truncates() {
        let vocab = Vocab::build(["lost card"], 1);
        assert_eq!(vocab.encode("Lost my CARD", 10), [CLS_ID, 4, UNK_ID, 3]);
        assert_eq!(vocab.encode("lost lost lost", 3), [CLS_ID, 4, 4]);
    }

    #[test]
    fn card_numbers_and_emails_never_reach_the_vocabulary() {
        let vocab = Vocab::build(
            ["card 4111 1111 1111 1111 lost, write to jo@example.com"],
            1,
        );
        for token in vocab.tokens() {
            assert!(!token.contains("4111") && !token.contains("jo"), "{token}");
        }
        assert!(vocab.tokens().contains(&"email".to_string()));
    }

    #[test]
    fn digits_become_num_and_accents_stay_letters() {
        assert_eq!(words("Überweisung 250 EUR"), ["überweisung", NUM, "eur"]);
    }
}
