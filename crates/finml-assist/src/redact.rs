//! Masking of personal data in customer messages before anything is stored or logged.
//!
//! Constraints: a card or account number must never reach a vocabulary, a log or a model
//! directory, yet amounts, dates and order numbers carry the meaning of a message and must
//! survive. Solution: hand-written scanners that only mask what passes a checksum (Luhn for
//! cards, ISO 13616 mod-97 for IBANs) or a strict shape (e-mail addresses, phone numbers with
//! an international or trunk prefix or the North American 3-3-4 grouping). Trade-off: a phone
//! number written as a bare run of digits without a leading `+` or `0` is not recognised,
//! because it cannot be told from an order or reference number.

/// What a masked span was; its placeholder is what replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Card,
    Iban,
    Email,
    Phone,
}

impl Kind {
    fn placeholder(self) -> &'static str {
        match self {
            Kind::Card => "[CARD]",
            Kind::Iban => "[IBAN]",
            Kind::Email => "[EMAIL]",
            Kind::Phone => "[PHONE]",
        }
    }
}

/// A span of characters (indices into the message's `char`s, end exclusive) to mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    kind: Kind,
}

/// The message with every card number, IBAN, e-mail address and phone number replaced by its
/// placeholder; everything else is kept as written.
///
/// ```
/// use finml_assist::redact;
/// let message = "Card 4111 1111 1111 1111 was charged 1,250.00 on 2024-03-15, mail me at a.b@example.com";
/// assert_eq!(
///     redact(message),
///     "Card [CARD] was charged 1,250.00 on 2024-03-15, mail me at [EMAIL]"
/// );
/// ```
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let spans = find_spans(&chars);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.extend(&chars[at..span.start]);
        out.push_str(span.kind.placeholder());
        at = span.end;
    }
    out.extend(&chars[at..]);
    out
}

/// Non-overlapping spans in order. E-mail addresses first (their digits must not be read as
/// phone numbers), then IBANs (they contain digit runs), then cards and phones.
fn find_spans(chars: &[char]) -> Vec<Span> {
    let mut spans = emails(chars);
    let free = |spans: &[Span], start: usize, end: usize| {
        spans.iter().all(|s| end <= s.start || start >= s.end)
    };
    let mut i = 0;
    while i < chars.len() {
        let found = if free(&spans, i, i + 1) && starts_word(chars, i) {
            iban_at(chars, i).or_else(|| number_at(chars, i))
        } else {
            None
        };
        match found {
            Some(span) if free(&spans, span.start, span.end) => {
                i = span.end;
                spans.push(span);
            }
            _ => i += 1,
        }
    }
    spans.sort_by_key(|s| s.start);
    spans
}

/// True when no letter or digit (nor a `#` of an order number) touches `i` on the left.
fn starts_word(chars: &[char], i: usize) -> bool {
    i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '#')
}

fn ends_word(chars: &[char], end: usize) -> bool {
    end >= chars.len() || !chars[end].is_alphanumeric()
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.'
}

/// Every `local@domain.tld` with a top-level domain of at least two letters.
fn emails(chars: &[char]) -> Vec<Span> {
    let mut spans = Vec::new();
    for (at, _) in chars.iter().enumerate().filter(|(_, c)| **c == '@') {
        let start = (0..at)
            .rev()
            .take_while(|&j| is_local_char(chars[j]))
            .last()
            .unwrap_or(at);
        let mut end = at
            + 1
            + chars[at + 1..]
                .iter()
                .take_while(|c| is_domain_char(**c))
                .count();
        // A sentence's full stop or dash after the address is not part of it.
        while end > at + 1 && !chars[end - 1].is_ascii_alphanumeric() {
            end -= 1;
        }
        if start < at && valid_domain(&chars[at + 1..end]) {
            spans.push(Span {
                start,
                end,
                kind: Kind::Email,
            });
        }
    }
    spans
}

fn valid_domain(domain: &[char]) -> bool {
    let text: String = domain.iter().collect();
    let mut labels = text.split('.');
    let tld = labels.next_back().unwrap_or("");
    text.contains('.')
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && labels.all(|l| !l.is_empty())
}

/// An IBAN starting at `i`: country letters, check digits, then letters and digits in groups
/// separated by single spaces, 15 to 34 characters in all, whose mod-97 remainder is 1. The
/// longest such prefix that ends at a group boundary wins, so words after it are not taken in.
fn iban_at(chars: &[char], i: usize) -> Option<Span> {
    let head = chars.get(i..i + 4)?;
    if !(head[0].is_ascii_alphabetic()
        && head[1].is_ascii_alphabetic()
        && head[2].is_ascii_digit()
        && head[3].is_ascii_digit())
    {
        return None;
    }
    let mut compact = Vec::new();
    let mut boundaries = Vec::new();
    let mut j = i;
    while j < chars.len() && compact.len() < 34 {
        let c = chars[j];
        if c.is_ascii_alphanumeric() {
            compact.push(c.to_ascii_uppercase());
            j += 1;
            if ends_word(chars, j) || chars[j] == ' ' {
                boundaries.push((j, compact.len()));
            }
        } else if c == ' ' && chars.get(j + 1).is_some_and(|n| n.is_ascii_alphanumeric()) {
            j += 1;
        } else {
            break;
        }
    }
    boundaries
        .into_iter()
        .rev()
        .find(|&(end, len)| len >= 15 && ends_word(chars, end) && iban_checksum_ok(&compact[..len]))
        .map(|(end, _)| Span {
            start: i,
            end,
            kind: Kind::Iban,
        })
}

/// ISO 13616: move the first four characters to the end, read letters as 10..35, and the
/// number must leave remainder 1 when divided by 97.
fn iban_checksum_ok(iban: &[char]) -> bool {
    let rotated = iban[4..].iter().chain(&iban[..4]);
    let mut remainder = 0u32;
    for &c in rotated {
        let Some(value) = c.to_digit(36) else {
            return false;
        };
        let scale = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * scale + value) % 97;
    }
    remainder == 1
}

/// A run of digit groups: where each group's digits start and end, and the separators.
struct Groups {
    /// (first char index, end char index) of each group of digits.
    bounds: Vec<(usize, usize)>,
    /// The `+` or `(` just before the first group, if any.
    lead: Option<char>,
}

/// Separators allowed between the groups of a card or phone number.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')')
}

fn groups_at(chars: &[char], i: usize) -> Option<Groups> {
    let lead = chars.get(i).copied().filter(|c| *c == '+' || *c == '(');
    let mut j = i + usize::from(lead.is_some());
    let mut bounds = Vec::new();
    loop {
        let start = j;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        if j == start {
            break;
        }
        bounds.push((start, j));
        // At most two separator characters, e.g. ") " in "(555) 123-4567".
        let gap = chars[j..]
            .iter()
            .take(2)
            .take_while(|c| is_separator(**c))
            .count();
        if gap == 0 || !chars.get(j + gap).is_some_and(|c| c.is_ascii_digit()) {
            break;
        }
        j += gap;
    }
    (!bounds.is_empty()).then_some(Groups { bounds, lead })
}

/// A card or phone number starting at `i`, taking the longest run of whole digit groups that
/// qualifies, so that a number followed by an unrelated figure is still found.
fn number_at(chars: &[char], i: usize) -> Option<Span> {
    let groups = groups_at(chars, i)?;
    for last in (0..groups.bounds.len()).rev() {
        let end = groups.bounds[last].1;
        if !ends_word(chars, end) {
            continue;
        }
        let window = &groups.bounds[..=last];
        let digits: Vec<u32> = window
            .iter()
            .flat_map(|&(s, e)| chars[s..e].iter().filter_map(|c| c.to_digit(10)))
            .collect();
        let kind = if groups.lead.is_none() && is_card(chars, window, &digits) {
            Kind::Card
        } else if is_phone(chars, &groups, window, &digits) {
            Kind::Phone
        } else {
            continue;
        };
        return Some(Span {
            start: i,
            end,
            kind,
        });
    }
    None
}

/// 13 to 19 digits, groups separated by one space or dash, and the Luhn check digit right.
fn is_card(chars: &[char], window: &[(usize, usize)], digits: &[u32]) -> bool {
    let plain_gaps = window
        .windows(2)
        .all(|w| w[1].0 == w[0].1 + 1 && matches!(chars[w[0].1], ' ' | '-'));
    (13..=19).contains(&digits.len()) && plain_gaps && luhn_ok(digits)
}

/// Luhn (ISO/IEC 7812): doubling every second digit from the right, the sum is a multiple of 10.
pub(crate) fn luhn_ok(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| match (k % 2, d * 2) {
            (0, _) => d,
            (_, doubled) if doubled > 9 => doubled - 9,
            (_, doubled) => doubled,
        })
        .sum();
    sum % 10 == 0
}

/// A phone number: an international `+` prefix with 8 to 15 digits (E.164), a national number
/// with a trunk `0` and 9 to 11 digits (or `00` and up to 15), or the North American grouping
/// (3)-3-4, optionally with a leading country code 1. Bare digit runs are order numbers.
fn is_phone(chars: &[char], groups: &Groups, window: &[(usize, usize)], digits: &[u32]) -> bool {
    let n = digits.len();
    let sizes: Vec<usize> = window.iter().map(|(s, e)| e - s).collect();
    let closes_paren = groups.lead != Some('(') || chars.get(window[0].1) == Some(&')');
    // "01-02-2024 10:30" has ten digits and a trunk 0, but it is a date.
    let date_first = sizes.len() >= 3 && matches!(sizes[..3], [2, 2, 4] | [4, 2, 2]);
    match (groups.lead, digits) {
        (Some('+'), _) => (8..=15).contains(&n),
        _ if date_first => false,
        (_, [0, 0, ..]) => (10..=15).contains(&n),
        (_, [0, ..]) => (9..=11).contains(&n),
        _ => closes_paren && (sizes == [3, 3, 4] || (sizes == [1, 3, 3, 4] && digits[0] == 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        redact(text)
    }

    #[test]
    fn cards_with_spaces_dashes_or_none_are_masked() {
        assert_eq!(masked("card 4111 1111 1111 1111 lost"), "card [CARD] lost");
        assert_eq!(masked("5500-0000-0000-0004"), "[CARD]");
        assert_eq!(masked("my amex 378282246310005."), "my amex [CARD].");
        // A 19-digit and a 13-digit card.
        assert_eq!(
            masked("6200000000000000000 and 4222222222222"),
            "[CARD] and [CARD]"
        );
    }

    #[test]
    fn a_card_followed_by_a_figure_is_still_found() {
        assert_eq!(
            masked("4111 1111 1111 1111 2 days ago"),
            "[CARD] 2 days ago"
        );
    }

    #[test]
    fn a_sixteen_digit_number_failing_luhn_is_kept() {
        assert_eq!(masked("ref 4111 1111 1111 1112"), "ref 4111 1111 1111 1112");
        assert_eq!(masked("1234567812345678"), "1234567812345678");
    }

    #[test]
    fn luhn_matches_known_values() {
        assert!(luhn_ok(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
        assert!(!luhn_ok(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]));
    }

    #[test]
    fn ibans_with_and_without_spaces_are_masked() {
        assert_eq!(
            masked("to GB82 WEST 1234 5698 7654 32 please"),
            "to [IBAN] please"
        );
        assert_eq!(masked("DE89370400440532013000"), "[IBAN]");
        assert_eq!(
            masked("iban: fr14 2004 1010 0505 0001 3m02 606."),
            "iban: [IBAN]."
        );
    }

    #[test]
    fn an_iban_with_a_wrong_checksum_is_kept() {
        assert_eq!(
            masked("GB83 WEST 1234 5698 7654 32"),
            "GB83 WEST 1234 5698 7654 32"
        );
        assert_eq!(masked("DE89370400440532013001"), "DE89370400440532013001");
    }

    #[test]
    fn emails_are_masked_without_the_full_stop() {
        assert_eq!(
            masked("write to jane.doe+bank@mail.example.co.uk."),
            "write to [EMAIL]."
        );
        assert_eq!(masked("a@b is not an address"), "a@b is not an address");
        assert_eq!(masked("me@home.x"), "me@home.x");
    }

    #[test]
    fn phone_numbers_are_masked() {
        assert_eq!(masked("call +44 20 7946 0958 today"), "call [PHONE] today");
        assert_eq!(masked("mobile 07700 900123"), "mobile [PHONE]");
        assert_eq!(masked("(555) 123-4567"), "[PHONE]");
        assert_eq!(
            masked("555.123.4567 or 1-555-123-4567"),
            "[PHONE] or [PHONE]"
        );
        assert_eq!(masked("ring 0612345678"), "ring [PHONE]");
    }

    #[test]
    fn amounts_dates_and_order_numbers_are_kept() {
        for text in [
            "I was charged 1,250.00 twice",
            "EUR 1.250.000,00 transfer",
            "on 2024-03-15 and 15.03.2024 and 03/15/2024",
            "paid 01-02-2024 10 times",
            "order #48213377 has not arrived",
            "order number 100234567 and ticket 2024-001",
            "sort code 20-00-00, account 12345678",
            "I am 35 and earn 42000 a year",
        ] {
            assert_eq!(masked(text), text);
        }
    }

    #[test]
    fn non_ascii_text_is_kept_intact() {
        assert_eq!(masked("Grüße, 4111111111111111 €"), "Grüße, [CARD] €");
    }
}
