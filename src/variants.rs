//! Plausible intended forms of a word: the candidates of the grammar evidence.
//!
//! Machine translation often produces a real word in the wrong form ("des Rat" for "des
//! Rates", "sei" for "sono") or a garbled spelling ("Regirung"). The grammar evidence asks
//! the language model whether some form of a word is far more likely in its sentence than
//! the form written, scoring the sentence once per candidate. Every candidate costs model
//! time, so this module proposes few, relevant forms, cheaply:
//!
//! 1. **Closed-class paradigms**: articles, pronouns, auxiliary and modal verbs, whose
//!    forms substitute for each other and are always valid words.
//! 2. **Inflections of the same stem**, for a word outside the paradigms: the word's
//!    ending swapped for another ending of the same set (German "umfassender" →
//!    "umfassenden", Italian "sottolinea" → "sottolineano"), plus German umlaut plurals
//!    ("Rat" → "Räte"); kept only when the lexicon lists the result.
//! 3. **Near spellings**, only for a word that is neither listed nor in a paradigm: listed
//!    words one edit away with the same first letter.
//!
//! Only German and Italian have paradigms and ending sets so far; other languages get no
//! candidates rather than candidates from rules nobody has written or checked.

use crate::data::Lang;
use crate::lexicon::{self, Lexicon};
use foldhash::{HashMap, HashSet};
use std::cmp::Ordering;
use std::sync::OnceLock;

/// Shortest word that gets candidates: a single letter has too many readings to guess at.
const MIN_WORD_CHARS: usize = 2;

/// Longest word that gets candidates: longer tokens are compounds, URLs or debris.
const MAX_WORD_CHARS: usize = 30;

/// Plausible intended forms of `word` in `lang`, most plausible first, at most `max`, never
/// `word` itself (compared case-insensitively), with `word`'s capitalisation pattern
/// (lower, Capitalised, UPPER).
///
/// Empty for a language without paradigms (all but German and Italian), for a word shorter
/// than 2 or longer than 30 characters, and for a word with anything but letters (an
/// Italian elided form may end in an apostrophe: "dell'"). Elided Italian candidates
/// ("l'", "dell'") are returned with a straight apostrophe.
pub fn candidates(word: &str, lang: Lang, max: usize) -> Vec<String> {
    let (Some(grammar), Some(lexicon)) = (Grammar::of(lang), lexicon::for_lang(lang)) else {
        return Vec::new();
    };
    let Some(lower) = normalised(word, grammar.elides) else {
        return Vec::new();
    };
    let casing = Casing::of(word);
    let table_forms = paradigm_forms(&lower, grammar);
    let mut ranked: Vec<Ranked> = Vec::new();
    if !table_forms.is_empty() {
        // A closed-class word's forms are its tables': endings stripped from it match by
        // accident ("des" → "de", "war" → "Ware").
        ranked.extend(
            table_forms
                .into_iter()
                .map(|form| Ranked::new(form, Source::Grammar, lexicon)),
        );
    } else {
        ranked.extend(
            same_stem_forms(&lower, casing, grammar, lexicon)
                .into_iter()
                .map(|form| Ranked::new(form, Source::Grammar, lexicon)),
        );
        if !lexicon.contains(&lower) {
            ranked.extend(
                near_spellings(&lower, grammar, lexicon)
                    .map(|form| Ranked::new(form.to_string(), Source::Spelling, lexicon)),
            );
        }
    }
    ranked.sort_by(Ranked::order);

    let mut seen: HashSet<String> = HashSet::default();
    seen.insert(lower);
    ranked
        .into_iter()
        .map(|candidate| casing.apply(&candidate.form))
        .filter(|form| seen.insert(form.to_lowercase()))
        .take(max)
        .collect()
}

/// The rules of one language.
struct Grammar {
    /// Sets of closed-class forms that substitute for each other: a word in a set gets the
    /// set's other forms.
    paradigms: &'static [&'static [&'static str]],
    /// Determiners declined on several stems with one set of endings.
    declensions: &'static [Declension],
    /// Sets of inflectional endings: a word ending in one gets the others on its stem.
    endings: &'static [&'static [&'static str]],
    /// Ending sets for words that are not Capitalised: German capitalises nouns, so a
    /// Capitalised word is a noun or a sentence start, and verb endings on it give noise
    /// ("Rat" → "Ratten", "Rast") that would crowd out its noun forms.
    uncapitalised_endings: &'static [&'static [&'static str]],
    /// Shortest stem left when an ending is stripped: shorter ones match by accident.
    min_stem_chars: usize,
    /// Whether nouns form plurals with an umlaut ([`umlaut_forms`]).
    umlaut_plurals: bool,
    /// Whether words may end in an elision apostrophe ("dell'").
    elides: bool,
    /// Built on the first near-spelling lookup in the language.
    spellings: OnceLock<SpellingIndex>,
}

/// Forms made of each of `stems` and each of `endings` ("kein" + "en"); the forms of one
/// stem substitute for each other.
struct Declension {
    stems: &'static [&'static str],
    endings: &'static [&'static str],
}

impl Grammar {
    fn of(lang: Lang) -> Option<&'static Grammar> {
        match lang.code() {
            "de" => Some(&GERMAN),
            "it" => Some(&ITALIAN),
            _ => None,
        }
    }
}

static GERMAN: Grammar = Grammar {
    paradigms: GERMAN_PARADIGMS,
    declensions: GERMAN_DECLENSIONS,
    endings: &[GERMAN_NOMINAL_ENDINGS],
    uncapitalised_endings: &[GERMAN_VERBAL_ENDINGS],
    min_stem_chars: 2,
    umlaut_plurals: true,
    elides: false,
    spellings: OnceLock::new(),
};

static ITALIAN: Grammar = Grammar {
    paradigms: ITALIAN_PARADIGMS,
    declensions: &[],
    endings: ITALIAN_ENDINGS,
    uncapitalised_endings: &[],
    min_stem_chars: 3,
    umlaut_plurals: false,
    elides: true,
    spellings: OnceLock::new(),
};

/// German closed-class words. The verbs list present, past and subjunctive II: tense and
/// mood slips are as common in translation as person and number slips.
const GERMAN_PARADIGMS: &[&[&str]] = &[
    // Definite article.
    &["der", "die", "das", "den", "dem", "des"],
    // Possessive "euer" drops its second e before an ending, unlike the other possessives
    // (GERMAN_DECLENSIONS).
    &["euer", "eure", "euren", "eurem", "eurer", "eures"],
    // sein (the infinitive is left out: it is far more often the possessive).
    &[
        "bin", "bist", "ist", "sind", "seid", "sei", "seien", "war", "warst", "waren", "wart",
        "wäre", "wären",
    ],
    // haben
    &[
        "habe", "hast", "hat", "haben", "habt", "hatte", "hattest", "hatten", "hattet", "hätte",
        "hätten",
    ],
    // werden
    &[
        "werde", "wirst", "wird", "werden", "werdet", "wurde", "wurdest", "wurden", "wurdet",
        "würde", "würden",
    ],
    // Modal verbs: können, müssen, dürfen, sollen, wollen, mögen.
    &[
        "kann", "kannst", "können", "könnt", "konnte", "konntest", "konnten", "konntet", "könnte",
        "könnten",
    ],
    &[
        "muss", "musst", "müssen", "müsst", "musste", "musstest", "mussten", "musstet", "müsste",
        "müssten",
    ],
    &[
        "darf", "darfst", "dürfen", "dürft", "durfte", "durftest", "durften", "durftet", "dürfte",
        "dürften",
    ],
    &[
        "soll", "sollst", "sollen", "sollt", "sollte", "solltest", "sollten", "solltet",
    ],
    &[
        "will", "willst", "wollen", "wollt", "wollte", "wolltest", "wollten", "wolltet",
    ],
    &[
        "mag", "magst", "mögen", "mögt", "mochte", "mochtest", "mochten", "mochtet", "möchte",
        "möchten",
    ],
    // Personal pronouns: the cases of one person, number and gender. Swapping persons
    // ("er" for "sie") changes the meaning, not the grammar, so those are not candidates.
    &["ich", "mich", "mir"],
    &["du", "dich", "dir"],
    &["er", "ihn", "ihm"],
    &["es", "ihm"],
    &["sie", "ihr", "ihnen"],
    &["wir", "uns"],
    &["ihr", "euch"],
    // Prepositions and their contractions with the article ("zu dem" = "zum").
    &["zu", "zum", "zur"],
    &["in", "im", "ins"],
    &["an", "am", "ans"],
    &["von", "vom"],
    &["bei", "beim"],
];

/// German determiners declined like "ein" and like "dieser".
const GERMAN_DECLENSIONS: &[Declension] = &[
    Declension {
        stems: &["ein", "kein", "mein", "dein", "sein", "ihr", "unser"],
        endings: &["", "e", "en", "em", "er", "es"],
    },
    Declension {
        stems: &["dies", "jen", "jed", "welch", "manch", "solch"],
        endings: &["er", "e", "es", "en", "em"],
    },
];

/// German noun and adjective endings: case and number of nouns ("Rat", "Rates", "Räte"),
/// strong and weak adjective declension ("umfassender", "umfassenden").
const GERMAN_NOMINAL_ENDINGS: &[&str] = &["", "e", "en", "em", "er", "es", "s", "n", "ern", "ens"];

/// German verb endings: present and weak past, all persons ("macht", "machten").
const GERMAN_VERBAL_ENDINGS: &[&str] = &[
    "", "e", "st", "t", "et", "en", "te", "test", "ten", "tet", "est",
];

/// Plural endings after an umlauted stem ("Räte", "Häuser", "Männern").
const GERMAN_UMLAUT_PLURAL_ENDINGS: &[&str] = &["e", "er", "en", "ern"];

/// Italian closed-class words.
const ITALIAN_PARADIGMS: &[&[&str]] = &[
    // Definite and indefinite articles, apart: swapping them changes the meaning, while
    // gender and number slips within each are grammar errors.
    &["il", "lo", "la", "i", "gli", "le", "l'"],
    &["un", "uno", "una", "un'"],
    // Prepositions and their articulated forms, each within its preposition (di, a, da,
    // in, su): the bare preposition is there for a dropped or surplus article.
    &[
        "di", "del", "dello", "della", "dei", "degli", "delle", "dell'",
    ],
    &["a", "al", "allo", "alla", "ai", "agli", "alle", "all'"],
    &[
        "da", "dal", "dallo", "dalla", "dai", "dagli", "dalle", "dall'",
    ],
    &[
        "in", "nel", "nello", "nella", "nei", "negli", "nelle", "nell'",
    ],
    &[
        "su", "sul", "sullo", "sulla", "sui", "sugli", "sulle", "sull'",
    ],
    // essere: present, imperfect, subjunctive, future, conditional, participle.
    &[
        "sono",
        "sei",
        "è",
        "siamo",
        "siete",
        "ero",
        "eri",
        "era",
        "eravamo",
        "eravate",
        "erano",
        "sia",
        "siano",
        "fosse",
        "fossero",
        "sarà",
        "saranno",
        "sarebbe",
        "sarebbero",
        "stato",
        "stata",
        "stati",
        "state",
    ],
    // avere: present, imperfect, subjunctive, future, conditional.
    &[
        "ho",
        "hai",
        "ha",
        "abbiamo",
        "avete",
        "hanno",
        "avevo",
        "avevi",
        "aveva",
        "avevamo",
        "avevate",
        "avevano",
        "abbia",
        "abbiano",
        "avrà",
        "avranno",
        "avrebbe",
        "avrebbero",
    ],
    // fare, andare, potere, volere, dovere, sapere: present and imperfect, irregular
    // enough that the ending sets miss them.
    &[
        "faccio", "fai", "fa", "facciamo", "fate", "fanno", "facevo", "facevi", "faceva",
        "facevamo", "facevate", "facevano",
    ],
    &[
        "vado", "vai", "va", "andiamo", "andate", "vanno", "andavo", "andavi", "andava",
        "andavamo", "andavate", "andavano",
    ],
    &[
        "posso", "puoi", "può", "possiamo", "potete", "possono", "potevo", "potevi", "poteva",
        "potevamo", "potevate", "potevano",
    ],
    &[
        "voglio", "vuoi", "vuole", "vogliamo", "volete", "vogliono", "volevo", "volevi", "voleva",
        "volevamo", "volevate", "volevano",
    ],
    &[
        "devo", "devi", "deve", "dobbiamo", "dovete", "devono", "dovevo", "dovevi", "doveva",
        "dovevamo", "dovevate", "dovevano",
    ],
    &[
        "so", "sai", "sa", "sappiamo", "sapete", "sanno", "sapevo", "sapevi", "sapeva", "sapevamo",
        "sapevate", "sapevano",
    ],
    // Third-person pronouns within one case, where gender and number must agree with the
    // referent: direct-object clitics (with partitive "ne"), indirect-object clitics,
    // stressed forms, combined clitics.
    &["lo", "la", "li", "le", "ne"],
    &["gli", "le"],
    &["lui", "lei", "loro"],
    &["glielo", "gliela", "glieli", "gliele", "gliene"],
];

/// Italian inflectional ending sets. Past participles ("-ato", "-uto", "-ito") agree like
/// adjectives, so the nominal set already swaps their gender and number.
const ITALIAN_ENDINGS: &[&[&str]] = &[
    // Nouns and adjectives in gender and number ("nazione", "nazioni"), and the same
    // with the h that keeps c and g hard ("politico", "politiche").
    &["o", "a", "i", "e"],
    &["co", "ca", "ci", "chi", "che"],
    &["go", "ga", "gi", "ghi", "ghe"],
    // Present indicative and subjunctive of all three conjugations ("sottolinea",
    // "sottolineano", "sottolineiate"), and of -isc- verbs ("finisce", "finiscono").
    &[
        "o", "i", "a", "e", "iamo", "ate", "ete", "ite", "iate", "ano", "ono", "ino",
    ],
    &[
        "isco", "isci", "isce", "iamo", "ite", "iscono", "isca", "iscano",
    ],
    // Imperfect, within each conjugation's vowel ("conoscevi", "conosceva").
    &["avo", "avi", "ava", "avamo", "avate", "avano"],
    &["evo", "evi", "eva", "evamo", "evate", "evano"],
    &["ivo", "ivi", "iva", "ivamo", "ivate", "ivano"],
    // Future and conditional together: translations confuse the two moods ("sarà",
    // "sarebbe"). -are verbs take the -er- forms ("parlerò").
    &[
        "erò", "erai", "erà", "eremo", "erete", "eranno", "erei", "eresti", "erebbe", "eremmo",
        "ereste", "erebbero",
    ],
    &[
        "irò", "irai", "irà", "iremo", "irete", "iranno", "irei", "iresti", "irebbe", "iremmo",
        "ireste", "irebbero",
    ],
];

/// `word` in lower case with a typographic apostrophe made straight, if it may get
/// candidates: the right length, and letters only (but for a final elision apostrophe
/// where the language elides).
fn normalised(word: &str, elides: bool) -> Option<String> {
    let chars = word.chars().count();
    if !(MIN_WORD_CHARS..=MAX_WORD_CHARS).contains(&chars) {
        return None;
    }
    let lower = word.to_lowercase().replace('’', "'");
    let letters = if elides {
        lower.strip_suffix('\'').unwrap_or(&lower)
    } else {
        &lower
    };
    let is_word = !letters.is_empty() && letters.chars().all(char::is_alphabetic);
    is_word.then_some(lower)
}

/// Every form of every paradigm and declension that lists `lower` (including `lower`);
/// empty when none does.
fn paradigm_forms(lower: &str, grammar: &Grammar) -> Vec<String> {
    let mut forms: Vec<String> = grammar
        .paradigms
        .iter()
        .filter(|set| set.contains(&lower))
        .flat_map(|set| set.iter().map(|form| form.to_string()))
        .collect();
    for declension in grammar.declensions {
        for stem in declension.stems {
            let Some(ending) = lower.strip_prefix(stem) else {
                continue;
            };
            if declension.endings.contains(&ending) {
                forms.extend(declension.endings.iter().map(|e| format!("{stem}{e}")));
            }
        }
    }
    forms
}

/// Listed forms of `lower` (written with `casing`) with another ending of one of the
/// language's ending sets, and where the language has umlaut plurals, with the stem's
/// umlaut added or removed.
fn same_stem_forms(
    lower: &str,
    casing: Casing,
    grammar: &Grammar,
    lexicon: &Lexicon,
) -> Vec<String> {
    let uncapitalised_endings = match casing {
        Casing::Capitalised => &[],
        Casing::Lower | Casing::Upper => grammar.uncapitalised_endings,
    };
    let mut forms = Vec::new();
    for &endings in grammar.endings.iter().chain(uncapitalised_endings) {
        for stem in stems(lower, endings, grammar.min_stem_chars) {
            forms.extend(endings.iter().map(|e| format!("{stem}{e}")));
        }
    }
    if grammar.umlaut_plurals {
        forms.extend(umlaut_forms(lower, grammar.min_stem_chars));
    }
    forms.retain(|form| form != lower && lexicon.contains(form));
    forms
}

/// The stems of `word` left by stripping each of `endings`, at least `min_chars` long.
fn stems<'a>(
    word: &'a str,
    endings: &'a [&'a str],
    min_chars: usize,
) -> impl Iterator<Item = &'a str> + 'a {
    endings
        .iter()
        .filter_map(move |ending| word.strip_suffix(ending))
        .filter(move |stem| stem.chars().count() >= min_chars)
}

/// German noun forms of `lower` with the umlaut of its stem's last vowel added or removed.
/// Umlaut marks the plural, so a plain stem takes plural endings only ("Rat" → "Räte", not
/// the verb "rät"), an umlauted one any noun ending ("Räte" → "Rates"). Unlisted forms
/// included.
fn umlaut_forms(lower: &str, min_stem_chars: usize) -> Vec<String> {
    let mut forms = Vec::new();
    for stem in stems(lower, GERMAN_NOMINAL_ENDINGS, min_stem_chars) {
        let Some((toggled, is_umlauted)) = toggled_umlaut(stem) else {
            continue;
        };
        let endings = if is_umlauted {
            GERMAN_UMLAUT_PLURAL_ENDINGS
        } else {
            GERMAN_NOMINAL_ENDINGS
        };
        forms.extend(endings.iter().map(|e| format!("{toggled}{e}")));
    }
    forms
}

/// `stem` with the umlaut of its last vowel added (a, o, u, au) or removed, and whether
/// the result has it; `None` when the last vowel takes no umlaut (e, i, ei, eu, ie).
fn toggled_umlaut(stem: &str) -> Option<(String, bool)> {
    let mut chars: Vec<char> = stem.chars().collect();
    let last_vowel = chars.iter().rposition(|c| "aeiouyäöü".contains(*c))?;
    let target = match (
        last_vowel.checked_sub(1).map(|i| chars[i]),
        chars[last_vowel],
    ) {
        // The umlaut of "au" is on the a: "Haus" → "Häuser".
        (Some('a' | 'ä'), 'u') => last_vowel - 1,
        (Some('e'), 'u') => return None,
        _ => last_vowel,
    };
    let (toggled, is_umlauted) = match chars[target] {
        'a' => ('ä', true),
        'o' => ('ö', true),
        'u' => ('ü', true),
        'ä' => ('a', false),
        'ö' => ('o', false),
        'ü' => ('u', false),
        _ => return None,
    };
    chars[target] = toggled;
    Some((chars.into_iter().collect(), is_umlauted))
}

/// Listed words one edit from `lower` (see [`SpellingIndex::neighbours`]).
fn near_spellings(
    lower: &str,
    grammar: &'static Grammar,
    lexicon: &'static Lexicon,
) -> impl Iterator<Item = &'static str> {
    let index = grammar
        .spellings
        .get_or_init(|| SpellingIndex::build(lexicon));
    let chars: Vec<char> = lower.chars().collect();
    index.neighbours(chars)
}

/// Lexicon words by first letter and length in characters, each with its characters: a
/// word one edit away with the same first letter lies in one of three groups.
struct SpellingIndex(HashMap<(char, usize), Vec<ListedWord>>);

/// A lexicon word with its characters, decoded once for the index.
struct ListedWord {
    word: &'static str,
    chars: Box<[char]>,
}

impl SpellingIndex {
    fn build(lexicon: &'static Lexicon) -> SpellingIndex {
        let mut groups: HashMap<(char, usize), Vec<ListedWord>> = HashMap::default();
        for word in lexicon.words() {
            let chars: Box<[char]> = word.chars().collect();
            if let Some(&first) = chars.first() {
                groups
                    .entry((first, chars.len()))
                    .or_default()
                    .push(ListedWord { word, chars });
            }
        }
        SpellingIndex(groups)
    }

    /// Listed words one edit (insertion, deletion, substitution or transposition of
    /// neighbours) from `word`, with its first letter. `word` must not be empty.
    fn neighbours(&self, word: Vec<char>) -> impl Iterator<Item = &'static str> + '_ {
        let (first, len) = (word[0], word.len());
        (len - 1..=len + 1)
            .filter_map(move |len| self.0.get(&(first, len)))
            .flatten()
            .filter(move |listed| is_one_edit(&word, &listed.chars))
            .map(|listed| listed.word)
    }
}

/// Whether `a` and `b` are exactly one edit apart in optimal string alignment distance
/// (`strsim::osa_distance(a, b) == 1`), in linear time and without allocating: the index
/// compares a word with thousands of listed words.
fn is_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let common_prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 if common_prefix == short.len() => false,
        0 => {
            let next = common_prefix + 1;
            let substituted = short[next..] == long[next..];
            let transposed = next < short.len()
                && short[common_prefix] == long[next]
                && short[next] == long[common_prefix]
                && short[next + 1..] == long[next + 1..];
            substituted || transposed
        }
        1 => short[common_prefix..] == long[common_prefix + 1..],
        _ => false,
    }
}

/// Where a candidate comes from, in rank order: grammar forms are more plausible than
/// near spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Grammar,
    Spelling,
}

/// A candidate form (lower case) with what ranks it.
struct Ranked {
    form: String,
    source: Source,
    /// Lexicon Zipf frequency; minus infinity for an unlisted paradigm form, ranked last
    /// but kept (the lexicon misses a few rare forms such as "wart").
    zipf: f32,
}

impl Ranked {
    fn new(form: String, source: Source, lexicon: &Lexicon) -> Ranked {
        let zipf = lexicon.zipf(&form).unwrap_or(f32::NEG_INFINITY);
        Ranked { form, source, zipf }
    }

    /// By source, then most frequent first, then alphabetically, so that the order never
    /// depends on the lexicon's hash order.
    fn order(a: &Ranked, b: &Ranked) -> Ordering {
        a.source
            .cmp(&b.source)
            .then(b.zipf.total_cmp(&a.zipf))
            .then_with(|| a.form.cmp(&b.form))
    }
}

/// The capitalisation pattern of a word, applied to its candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Casing {
    Lower,
    /// First letter upper case (German nouns, sentence starts).
    Capitalised,
    /// Every letter upper case, at least two of them ("EU", "DES").
    Upper,
}

impl Casing {
    pub(crate) fn of(word: &str) -> Casing {
        let mut letters = word.chars().filter(|c| c.is_alphabetic());
        match letters.next() {
            Some(first) if first.is_uppercase() => {
                let mut rest = letters.peekable();
                if rest.peek().is_some() && rest.all(char::is_uppercase) {
                    Casing::Upper
                } else {
                    Casing::Capitalised
                }
            }
            _ => Casing::Lower,
        }
    }

    pub(crate) fn apply(self, lower: &str) -> String {
        match self {
            Casing::Lower => lower.to_string(),
            Casing::Upper => lower.to_uppercase(),
            Casing::Capitalised => {
                let mut chars = lower.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates per word in the tests: as many as the language model scores
    /// (`lm::variants::CANDIDATES_PER_WORD`).
    const MAX: usize = 6;

    #[test]
    fn intended_forms_are_among_the_candidates() {
        let cases: &[(Lang, &str, &[&str])] = &[
            (Lang::GERMAN, "Rat", &["Rates", "Rats", "Räte"]),
            (Lang::GERMAN, "des", &["der"]),
            (
                Lang::GERMAN,
                "umfassender",
                &["umfassenden", "umfassende", "umfassendes"],
            ),
            (Lang::GERMAN, "Haben", &["Hat"]),
            (Lang::GERMAN, "wurde", &["wurden"]),
            (Lang::GERMAN, "Regirung", &["Regierung"]),
            (Lang::GERMAN, "Räte", &["Rat"]),
            (Lang::ITALIAN, "sei", &["sono", "sia"]),
            (Lang::ITALIAN, "conoscevi", &["conosceva", "conoscevano"]),
            (Lang::ITALIAN, "sottolinea", &["sottolineano"]),
        ];
        for &(lang, word, expected) in cases {
            let found = candidates(word, lang, MAX);
            for form in expected {
                assert!(
                    found.iter().any(|f| f == form),
                    "{word} ({lang}): {form:?} not in {found:?}"
                );
            }
        }
    }

    #[test]
    fn an_articulated_preposition_gets_its_siblings() {
        let found = candidates("della", Lang::ITALIAN, MAX);
        assert!(
            found.iter().any(|f| f == "delle" || f == "del"),
            "{found:?}"
        );
    }

    #[test]
    fn candidates_take_the_words_capitalisation() {
        type HasCasing = fn(&str) -> bool;
        let cases: &[(&str, HasCasing)] = &[
            ("Haben", |f| {
                let mut chars = f.chars();
                chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
            }),
            ("DES", |f| f == f.to_uppercase()),
            ("des", |f| f == f.to_lowercase()),
        ];
        for &(word, has_casing) in cases {
            let found = candidates(word, Lang::GERMAN, MAX);
            assert!(!found.is_empty(), "{word}");
            assert!(found.iter().all(|f| has_casing(f)), "{word}: {found:?}");
        }
        assert!(candidates("DES", Lang::GERMAN, MAX).contains(&"DER".to_string()));
    }

    #[test]
    fn grammar_forms_come_most_frequent_first() {
        let lexicon = lexicon::for_lang(Lang::GERMAN).unwrap();
        let found = candidates("wurde", Lang::GERMAN, MAX);
        let zipfs: Vec<f32> = found
            .iter()
            .map(|f| lexicon.zipf(f).unwrap_or(f32::NEG_INFINITY))
            .collect();
        assert!(
            zipfs.windows(2).all(|w| w[0] >= w[1]),
            "{found:?}: {zipfs:?}"
        );
    }

    #[test]
    fn never_the_word_itself_and_at_most_max() {
        let words = [
            (Lang::GERMAN, "Rat"),
            (Lang::GERMAN, "DIE"),
            (Lang::GERMAN, "Regirung"),
            (Lang::ITALIAN, "Sei"),
            (Lang::ITALIAN, "della"),
        ];
        for (lang, word) in words {
            for max in [0, 1, 3, MAX] {
                let found = candidates(word, lang, max);
                assert!(found.len() <= max, "{word}, max {max}: {found:?}");
                assert!(
                    found
                        .iter()
                        .all(|f| f.to_lowercase() != word.to_lowercase()),
                    "{word}: {found:?}"
                );
            }
        }
    }

    #[test]
    fn no_candidates_outside_what_the_rules_cover() {
        let cases = [
            (Lang::FRENCH, "des"),
            (Lang::GERMAN, "2024"),
            (Lang::GERMAN, "B2B"),
            (Lang::GERMAN, "Rat-Haus"),
            (Lang::GERMAN, "d"),
            (Lang::GERMAN, "Donaudampfschifffahrtsgesellschaften"),
            (Lang::ITALIAN, "'"),
        ];
        for (lang, word) in cases {
            assert!(candidates(word, lang, MAX).is_empty(), "{word} ({lang})");
        }
    }

    #[test]
    fn elided_italian_forms_get_their_siblings() {
        let found = candidates("Dell’", Lang::ITALIAN, MAX);
        assert!(found.iter().any(|f| f == "Della"), "{found:?}");
    }

    #[test]
    fn the_order_is_deterministic() {
        for (lang, word) in [(Lang::GERMAN, "Regirung"), (Lang::ITALIAN, "conoscevi")] {
            assert_eq!(candidates(word, lang, MAX), candidates(word, lang, MAX));
        }
    }

    #[test]
    fn one_edit_agrees_with_strsim() {
        let pairs = [
            ("regirung", "regierung"),
            ("regierung", "regirung"),
            ("rat", "rad"),
            ("rat", "rta"),
            ("rat", "rat"),
            ("rat", "rate"),
            ("rat", "raten"),
            ("abcd", "badc"),
            ("abcd", "acbd"),
            ("abcd", "abdc"),
            ("abcd", "abc"),
            ("abcd", "bcd"),
            ("räte", "rate"),
            ("ab", "ba"),
        ];
        for (a, b) in pairs {
            let chars = |s: &str| s.chars().collect::<Vec<_>>();
            assert_eq!(
                is_one_edit(&chars(a), &chars(b)),
                strsim::osa_distance(a, b) == 1,
                "{a} / {b}"
            );
        }
    }
}
