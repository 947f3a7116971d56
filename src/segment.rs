//! Sentence segmentation for news text in German, Italian and similar languages.
//!
//! Lines are paragraphs: a sentence never spans a line break. Inside a line a sentence
//! ends at `.`, `!`, `?` or `…` (plus any closing quotes and brackets) followed by
//! whitespace, unless the full stop belongs to an abbreviation ("z. B.", "Dr.", "U.S."),
//! an initial, or an ordinal number ("am 13. März"). A line that does not end in
//! sentence punctuation (title, heading, caption, credit line) is a [`SentenceKind::Heading`].

use crate::data::{Sentence, SentenceKind, Span};

/// Abbreviations (lower case, without their final full stop) after which a full stop does
/// not end a sentence. German, Italian, English and French news usage.
const ABBREVIATIONS: &[&str] = &[
    // German
    "z", "b", "bzw", "ca", "dr", "prof", "nr", "usw", "vgl", "evtl", "ggf", "inkl", "zzgl", "bspw",
    "u", "a", "d", "h", "o", "ä", "s", "st", "str", "mio", "mrd", "tsd", "jh", "jhd", "abs", "art",
    "bd", "hrsg", "mind", "max", "min", "geb", "gest", "sog", "ehem", "verh", "allg", "betr", "zb",
    "dh", "uvm", "etc", "ff", "chr", "v", "n", "dipl", "ing", "mag", "hl", "tel", "okt", "nov",
    "dez", "jan", "feb", "mär", "apr", "aug", "sept", "sep", // Italian
    "sig", "sigg", "sig.ra", "dott", "dott.ssa", "ing", "avv", "arch", "geom", "rag", "on", "sen",
    "pag", "pagg", "ecc", "cfr", "p", "es", "ca", "n", "ss", "fig", "tab", "cap", "vol", "gen",
    "col", "magg", "ten", "cav", // English and French
    "mr", "mrs", "ms", "jr", "sr", "vs", "e.g", "i.e", "inc", "ltd", "co", "corp", "gov", "sen",
    "rep", "gen", "lt", "col", "sgt", "mt", "no", "m", "mme", "mlle", "cf",
];

const MONTHS: &[&str] = &[
    "januar",
    "jänner",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
    "jahrhundert",
    "jahrestag",
    "jahrhunderts",
    "quartal",
    "platz",
    "liga",
    "bundesliga",
    "weltkrieg",
    "weltkriegs",
    "stock",
    "etage",
    "runde",
    "klasse",
    "mal",
];

/// Words after which "12." is an ordinal rather than a sentence end ("am 13. März").
const ORDINAL_LEADS: &[&str] = &[
    "am", "vom", "zum", "bis", "ab", "seit", "der", "die", "das", "den", "dem", "des", "im",
    "beim", "zur", "ihr", "ihrem", "seinem", "seit", "dem", "jeden", "jedem", "jeder",
];

const CLOSERS: &[char] = &['"', '\'', '”', '“', '’', '»', '«', ')', ']', '}', '›'];
const TERMINALS: &[char] = &['.', '!', '?', '…'];

/// Splits `text` into sentences. Every sentence's span is trimmed and non-empty.
pub fn segment(text: &str) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        segment_line(text, line_start, line_start + line.len(), &mut sentences);
        line_start += line.len();
    }
    sentences
}

fn segment_line(text: &str, start: usize, end: usize, out: &mut Vec<Sentence>) {
    let Some(line) = trimmed(text, Span::new(start, end)) else {
        return;
    };
    let first_index = out.len();
    let s = line.slice(text);
    let mut sentence_start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !TERMINALS.contains(&c) {
            continue;
        }
        // Extend over repeated terminals and closing quotes/brackets: `?!`, `."`, `.“`.
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = iter.peek() {
            if TERMINALS.contains(&d) || CLOSERS.contains(&d) {
                end = j + d.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        let rest = &s[end..];
        let after_space = rest.trim_start();
        if after_space.len() == rest.len() || after_space.is_empty() {
            continue; // no whitespace after it ("Hand.Gavriil", "3.5") or end of line
        }
        if c == '.' && !ends_sentence(&s[sentence_start..i], after_space) {
            continue;
        }
        if c == '…' && after_space.starts_with(|ch: char| ch.is_lowercase()) {
            continue;
        }
        push(
            text,
            Span::new(line.start + sentence_start, line.start + end),
            SentenceKind::Sentence,
            out,
        );
        sentence_start = s.len() - after_space.len();
    }
    push(
        text,
        Span::new(line.start + sentence_start, line.end),
        SentenceKind::Sentence,
        out,
    );

    // A line that is a single unpunctuated sentence stands alone: heading, title or caption.
    if out.len() == first_index + 1 {
        let only = &mut out[first_index];
        let last = only.span.slice(text).chars().last().unwrap_or('.');
        if !TERMINALS.contains(&last) && !CLOSERS.contains(&last) && last != ':' && last != ';' {
            only.kind = SentenceKind::Heading;
        }
    }
}

/// Whether a full stop after `before` (the sentence so far) ends the sentence, given the
/// text that follows the whitespace after it.
fn ends_sentence(before: &str, next: &str) -> bool {
    let token = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    let token_clean = token.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = token_clean.to_lowercase();
    let next_word: String = next
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let next_starts_lower = next.starts_with(|c: char| c.is_lowercase());

    if lower.is_empty() {
        return true;
    }
    // "U.S." / "z.B." style: letters separated by dots, nearly always mid-sentence.
    if lower.contains('.') && lower.split('.').all(|p| p.chars().count() <= 2) {
        return false;
    }
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    // A single capital letter is an initial ("J. Smith"), unless the line is a list of them.
    if token_clean.chars().count() == 1 && token_clean.chars().all(char::is_uppercase) {
        return false;
    }
    if lower.chars().all(|c| c.is_ascii_digit()) {
        let ordinal_like = lower.len() <= 2;
        if ordinal_like {
            if MONTHS.contains(&next_word.as_str())
                || next_starts_lower
                || next.starts_with(|c: char| c.is_ascii_digit())
            {
                return false;
            }
            let previous = before[..before.len() - token.len()].trim_end();
            let previous_word = previous
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            if ORDINAL_LEADS.contains(&previous_word.as_str()) {
                return false;
            }
        }
        return true;
    }
    if next_starts_lower {
        // A lower-case start after a real word is still a new sentence (a broken one);
        // after a short token it is more likely an unknown abbreviation.
        return lower.chars().count() >= 4;
    }
    true
}

fn push(text: &str, span: Span, kind: SentenceKind, out: &mut Vec<Sentence>) {
    if let Some(span) = trimmed(text, span) {
        out.push(Sentence { span, kind });
    }
}

/// `span` without leading and trailing whitespace; `None` if nothing is left.
fn trimmed(text: &str, span: Span) -> Option<Span> {
    let s = span.slice(text);
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (lead + trail < s.len()).then(|| Span::new(span.start + lead, span.end - trail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        segment(text).iter().map(|s| s.span.slice(text)).collect()
    }

    #[test]
    fn splits_simple_sentences() {
        assert_eq!(
            texts("Das ist gut. Das ist schlecht! Warum?"),
            ["Das ist gut.", "Das ist schlecht!", "Warum?"]
        );
    }

    #[test]
    fn ordinal_dates_do_not_end_sentences() {
        let t = "Putin nimmt am 13. März 2025 an einem Treffen teil. Danach reist er ab.";
        assert_eq!(
            texts(t),
            [
                "Putin nimmt am 13. März 2025 an einem Treffen teil.",
                "Danach reist er ab."
            ]
        );
        assert_eq!(
            texts("Das Treffen fand am 1. Mai statt."),
            ["Das Treffen fand am 1. Mai statt."]
        );
        assert_eq!(
            texts("Der 2. Weltkrieg endete."),
            ["Der 2. Weltkrieg endete."]
        );
    }

    #[test]
    fn numbers_at_sentence_end_still_split() {
        assert_eq!(
            texts("Es gab 10 Stimmen dafür. Die Resolution fiel durch."),
            ["Es gab 10 Stimmen dafür.", "Die Resolution fiel durch."]
        );
        assert_eq!(
            texts("Das war 2023. Dann kam 2024."),
            ["Das war 2023.", "Dann kam 2024."]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            texts("Er nennt z. B. Dr. Müller und ca. drei andere. Gut."),
            ["Er nennt z. B. Dr. Müller und ca. drei andere.", "Gut."]
        );
        assert_eq!(
            texts("Die U.S. Army rückte vor. Sie siegte."),
            ["Die U.S. Army rückte vor.", "Sie siegte."]
        );
        assert_eq!(
            texts("Lo ha detto il dott. Rossi, ecc. e altri. Poi è partito."),
            [
                "Lo ha detto il dott. Rossi, ecc. e altri.",
                "Poi è partito."
            ]
        );
        assert_eq!(
            texts("Präsident John F. Kennedy sprach."),
            ["Präsident John F. Kennedy sprach."]
        );
    }

    #[test]
    fn quotes_close_the_sentence() {
        let t = "Eine dritte Quelle sagte: „Bei den Amerikanern ist alles auseinandergefallen.“ Sie sagen das.";
        assert_eq!(
            texts(t),
            [
                "Eine dritte Quelle sagte: „Bei den Amerikanern ist alles auseinandergefallen.“",
                "Sie sagen das."
            ]
        );
        assert_eq!(
            texts("«Va bene.» Poi se ne andò."),
            ["«Va bene.»", "Poi se ne andò."]
        );
        assert_eq!(
            texts("“Es gibt viel zu tun”, fügte er hinzu."),
            ["“Es gibt viel zu tun”, fügte er hinzu."]
        );
    }

    #[test]
    fn lines_without_punctuation_are_headings() {
        let t = "Zuschauer skeptisch\nMaxim shemetov | Reuters\nDer Satz endet hier.\n";
        let s = segment(t);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].kind, SentenceKind::Heading);
        assert_eq!(s[1].kind, SentenceKind::Heading);
        assert_eq!(s[2].kind, SentenceKind::Sentence);
    }

    #[test]
    fn glued_caption_stays_in_its_sentence() {
        let t = "Putin schüttelt die Hand.Gavriil Grigorov/Reuters";
        assert_eq!(texts(t), [t]);
    }

    #[test]
    fn spans_are_byte_offsets_into_crlf_text() {
        let t = "Erste Zeile.\r\n\r\nZweite Zeile mit Ä.\r\n";
        let s = segment(t);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].span, Span::new(16, 36));
        assert_eq!(s[1].span.slice(t), "Zweite Zeile mit Ä.");
    }

    #[test]
    fn lowercase_after_real_word_is_a_new_sentence() {
        assert_eq!(
            texts("Das ist gesagt. und dann ging er."),
            ["Das ist gesagt.", "und dann ging er."]
        );
    }

    #[test]
    fn empty_and_blank_text_has_no_sentences() {
        assert!(segment("").is_empty());
        assert!(segment(" \n\t\r\n").is_empty());
    }
}
