//! The garbled sample articles: every known defect is flagged by the check responsible for it.
//! Run with `--nocapture` to see all findings.

mod support;

use mtaudit::data::{CheckId, Finding, Lang};
use support::{heuristic_findings, sample_text};

/// Every heuristic finding on `text`, printed for `--nocapture`.
fn findings(text: &str, lang: Lang) -> Vec<Finding> {
    let out = heuristic_findings(text, lang);
    for f in &out {
        eprintln!(
            "{:>16} {:<8} {:?} — {}",
            f.check.as_str(),
            f.severity.as_str(),
            f.span.slice(text),
            f.message
        );
    }
    out
}

/// Asserts that some finding of `check` covers an occurrence of `needle`.
fn assert_flagged(text: &str, found: &[Finding], check: CheckId, needle: &str) {
    let covered = text.match_indices(needle).any(|(start, m)| {
        found
            .iter()
            .any(|f| f.check == check && f.span.start <= start && start + m.len() <= f.span.end)
    });
    assert!(covered, "{check} does not flag {needle:?}");
}

/// The known defects of the German samples: each check and a text it must flag.
const GERMAN_DEFECTS: [(&str, &[(CheckId, &str)]); 4] = [
    (
        "000_242c8710a1e8f699.txt",
        &[
            (CheckId::Repetition, "Steve Witkoff Steve Witkoff"),
            (CheckId::DetachedHyphen, "US -Verhandlungsführer"),
            (CheckId::DetachedHyphen, "Ukraine -Krieges"),
            (CheckId::DetachedHyphen, "E -Mail -Kommentaren"),
            (CheckId::CaptionCredit, "Maxim shemetov | Reuters"),
            (CheckId::CaptionCredit, "Kreml.ru | Über Reuters"),
            (CheckId::CaptionCredit, "Evelyn Hockstein | Reuters"),
            (CheckId::CaptionCredit, "Kevin Lamarque | Reuters"),
            (CheckId::CaptionCredit, "in diesem Standbild aus dem Video"),
        ],
    ),
    (
        "001_89a789b5965c4451.txt",
        &[
            (CheckId::Boilerplate, "Verwandte Themen:"),
            (CheckId::Boilerplate, "Weitere Nachrichten"),
        ],
    ),
    (
        "002_66fad53027afa2c3.txt",
        &[
            (CheckId::Repetition, "Wir wir"),
            (CheckId::Repetition, "fächert, fächert"),
            (
                CheckId::Repetition,
                "Sicherheitsrat angenommen, die die Sicherheitsrat angenommen",
            ),
            (CheckId::DetachedHyphen, "Kreml -Sprecher"),
            (CheckId::DetachedHyphen, "Getty -Bilder"),
            (CheckId::CaptionCredit, "Sergei Ilnitsky | Über Reuters"),
            (
                CheckId::CaptionCredit,
                "Charly Triballeau | AFP | Getty -Bilder",
            ),
            (CheckId::Boilerplate, "Leave a Reply"),
            (
                CheckId::Boilerplate,
                "Your email address will not be published. Required fields are marked *",
            ),
            (CheckId::WrongLanguage, "Leave a Reply"),
            (
                CheckId::WrongLanguage,
                "Your email address will not be published.",
            ),
        ],
    ),
    (
        "003_810082e6ac50dd52.txt",
        &[
            (
                CheckId::Repetition,
                "nach der Berliner Mauer nach der Berliner Mauer",
            ),
            (CheckId::CaptionCredit, "Gavriil Grigorov/Reuters"),
            (CheckId::Boilerplate, "(Dies ist ein unbearbeiteter Artikel"),
        ],
    ),
];

/// Asserts that no wrong-language finding of `sample` covers any of `names`.
fn assert_names_not_wrong_language(text: &str, found: &[Finding], names: &[&str], sample: &str) {
    for name in names {
        assert!(
            !found
                .iter()
                .any(|f| f.check == CheckId::WrongLanguage && f.span.slice(text).contains(name)),
            "{name:?} flagged as wrong language in {sample}"
        );
    }
}

#[test]
fn german_samples_defects_are_flagged() {
    for (name, expected) in GERMAN_DEFECTS {
        eprintln!("== {name}");
        let text = sample_text(name);
        let found = findings(&text, Lang::GERMAN);
        for &(check, needle) in expected {
            assert_flagged(&text, &found, check, needle);
        }
        let names = [
            "Witkoff,",
            "Dmitry Peskov",
            "CNBC",
            "Recep Tayyip Erdogan",
            "Deal",
        ];
        assert_names_not_wrong_language(&text, &found, &names, name);
    }
}

#[test]
fn italian_sample_defects_are_flagged() {
    let name = "004_f3f7d7d9b85fe900.txt";
    let text = sample_text(name);
    eprintln!("== {name}");
    let found = findings(&text, Lang::ITALIAN);
    for (check, needle) in [
        (CheckId::Repetition, "la sua amicizia con la sua amicizia con la sua amicizia"),
        (CheckId::Repetition, "Trump, che è stato Trump, che è stato"),
        (CheckId::Repetition, "phon-phon"),
        (CheckId::MarkupDebris, "bersaglio = \"_ vuoto\" https: /2025/12/politics/putin-trprump-phon-phon-call/index.html \""),
        (CheckId::WrongLanguage, "Nahenvoyé"),
        (CheckId::WrongLanguage, "Kernkraftwerk"),
        (CheckId::WrongLanguage, "fazit"),
        (CheckId::Boilerplate, "Kommentare (0)"),
    ] {
        assert_flagged(&text, &found, check, needle);
    }
    let names = ["Witkoff", "Zaporozhye", "Air Force One", "team"];
    assert_names_not_wrong_language(&text, &found, &names, name);
}

#[test]
fn odd_input_gives_valid_spans_and_no_panic() {
    let odd = [
        "",
        "-",
        " -x",
        "é -É -",
        "<a",
        "</a> <a href=",
        "https:",
        "https: /",
        "www.",
        "Wir wir wir wir",
        "| Reuters",
        "Reuters |",
        "x.Reuters/",
        "🙂 🙂 🙂 -🙂",
        "Nahenvoyé-Nahenvoyé",
        "bersaglio = \"",
        "(Dies ist ein unbearbeiteter Artikel, der automatisch aus einem syndizierten Newsfeed generiert wurde.",
        "a\r\n\r\nb -c\r\n",
    ];
    for text in odd {
        for lang in [Lang::GERMAN, Lang::ITALIAN, Lang::ENGLISH] {
            for f in findings(text, lang) {
                assert!(
                    f.span.start <= f.span.end && f.span.end <= text.len(),
                    "{text:?}: {f:?}"
                );
                assert!(
                    text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end),
                    "{text:?}: {f:?}"
                );
            }
        }
    }
}
