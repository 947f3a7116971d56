#!/usr/bin/env python3
"""Reference token ids for the Gemma 3 tokenizer, from llama.cpp's own tokenizer.

Writes tests/fixtures/tokenizer/ids.json: a list of {"name", "text", "ids"} cases, where
"ids" is what llama.cpp produces for "text" without BOS and without parsing special
tokens (article text is never allowed to produce control tokens). tests/tokenizer.rs
checks that src/lm/tokenizer.rs (built from the same GGUF) gives the same ids, id for id.

Cases: every non-empty line of the sample articles in tests/fixtures/samples/, each whole
sample article, and crafted German/Italian sentences covering umlauts, ß, quotes,
guillemets, digits, dashes, emoji, runs of spaces, tabs, newlines, literal special-token
text, HTML tags, URLs and accented Italian.

Needs: python3 with llama-cpp-python (`pip install llama-cpp-python`) and the model file
gemma-3-270m-q4_k_m.gguf (only its vocabulary is loaded).

Run from the repository root (re-runnable; overwrites the fixture):
    MTAUDIT_MODEL=/path/to/gemma-3-270m-q4_k_m.gguf python3 scripts/gen_tokenizer_fixture.py
"""

import json
import os
import sys
from pathlib import Path

import llama_cpp

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "tests" / "fixtures" / "samples"
OUT = ROOT / "tests" / "fixtures" / "tokenizer" / "ids.json"

CRAFTED = [
    ("de_umlauts", "Über die Größe der Äpfel wurde in München heftig gestritten."),
    ("de_eszett", "Die Straße ist ab Montag gesperrt, heißt es aus dem Rathaus; Maße und Gewichte: 3 Fuß."),
    ("de_capital_eszett", "GROẞE STRAẞE, ÄRGER ÜBER ÖL"),
    ("de_low_high_quotes", "„Wir werden das schaffen“, sagte die Kanzlerin."),
    ("de_guillemets", "Die Zeitung schrieb: »Ein historischer Tag« und «ein Wendepunkt»."),
    ("de_curly_quotes", "Er nannte den Plan “verheerend” und ‘unnötig’."),
    ("de_date_digits", "Am 13. März 2025 um 14:30 Uhr stieg der DAX um 1,25 % auf 22.845,17 Punkte."),
    ("de_dashes", "Berlin – die Hauptstadt — wächst; 2020-2025 gab es 5–7 % mehr Einwohner."),
    ("de_emoji", "Das Team jubelt 🎉🇩🇪 und die Fans twittern 👍😂 bis in die Nacht."),
    ("de_leading_space", " Ein Satz mit führendem Leerzeichen."),
    ("de_leading_spaces", "   Drei Leerzeichen am Anfang und zwei am Ende  "),
    ("de_multiple_spaces", "Zu  viele   Leerzeichen    zwischen     den Wörtern."),
    ("de_newlines", "Erste Zeile.\nZweite Zeile.\n\nNeuer Absatz nach Leerzeile.\n\n\n\nEnde."),
    ("de_tabs", "Spalte A\tSpalte B\t\tSpalte C\n\tEingerückt."),
    ("de_crlf", "Zeile mit Windows-Umbruch.\r\nNächste Zeile."),
    ("de_literal_bos", "Der Text enthält <bos> und <eos> sowie <pad> wörtlich."),
    ("de_literal_turn", "<start_of_turn>user Hallo<end_of_turn> ist kein Steuerzeichen."),
    ("de_literal_unk_mask", "<unk> <mask> <unused0> [multimodal] <start_of_image>"),
    ("de_literal_byte_token", "Ein Byte-Token im Text: <0x41> und <0x0A>."),
    ("de_html", "<p>Der <b>Bundestag</b> hat <a href=\"https://bundestag.de\">abgestimmt</a>.</p><br>"),
    ("de_url", "Mehr unter https://www.tagesschau.de/inland/wahl-2025-101.html?x=1&y=ä#top lesen."),
    ("de_email", "Kontakt: redaktion@zeitung-beispiel.de oder +49 (0)30 123456-78."),
    ("de_compound", "Donaudampfschifffahrtsgesellschaftskapitänsmütze und Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz."),
    ("de_abbrev", "Dr. med. K. Müller u. a. sprachen z. B. über d. h. ca. 3 Mio. € bzw. 2,5 Mrd. US-$."),
    ("it_accents", "Non so perché è così difficile: però la città è già più bella."),
    ("it_apostrophes", "L'Italia e l’Europa: un’altra volta dell'anno, c'è chi dice “no”."),
    ("it_capital_accents", "È VERO CHE À LA CARTE SIGNIFICA ALLA CARTA? PERCHÉ NO."),
    ("it_guillemets", "Il premier ha detto: «Non ci fermeremo» — e poi è andato via."),
    ("it_date", "Il 25 aprile 1945 l'Italia fu liberata; oggi, 17/03/2025, alle ore 9.30."),
    ("it_numbers", "Il PIL è cresciuto dello 0,7% nel 3° trimestre, pari a 1.234,5 milioni di euro."),
    ("it_url_html", "Leggi su <i>Corriere</i>: https://www.corriere.it/esteri/25_marzo_17/articolo.shtml"),
    ("it_emoji_newline", "Grazie a tutti! ❤️🙏\nA presto 🇮🇹"),
    ("mixed_symbols", "Preis: 19,99 € (statt 24,99 €) – 20 % Rabatt! © 2025 ® ™ § 12 Abs. 3 ° ½ ²"),
    ("rare_scripts", "Ελλάδα, Україна, 北京, العربية, עברית — Namen im Text."),
    ("control_chars", "Text mit \u200b Nullbreite, \u00ad weichem Trennstrich und \u00a0 geschütztem Leerzeichen."),
    ("byte_fallback_rare", "Privat \U000F0000 und selten 𠀀𪚥 – Bytes statt Zeichen."),
    ("empty", ""),
    ("only_spaces", "     "),
    ("only_newline", "\n"),
    ("single_char", "ß"),
]


def main() -> int:
    model_env = os.environ.get("MTAUDIT_MODEL")
    if not model_env:
        print("set MTAUDIT_MODEL to the path of gemma-3-270m-q4_k_m.gguf", file=sys.stderr)
        return 2
    llm = llama_cpp.Llama(model_path=model_env, vocab_only=True, verbose=False)

    cases = []
    for sample in sorted(SAMPLES_DIR.glob("*.txt")):
        text = sample.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                cases.append((f"{sample.stem}:line{number}", line))
        cases.append((f"{sample.stem}:whole", text))
    cases.extend(CRAFTED)

    records = []
    for name, text in cases:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        records.append({"name": name, "text": text, "ids": ids})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One case per line keeps diffs of the fixture readable.
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    OUT.write_text("[\n" + body + "\n]\n", encoding="utf-8")
    print(f"{OUT}: {len(records)} cases, {sum(len(r['ids']) for r in records)} tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
