//! The crate's modules form layers, and an article's data flows one way through them: a
//! module may use only the modules of lower layers (and its own files), and no file
//! imports another that imports it back, directly or through others. `README.md`
//! ("Architecture") describes the layers; this test keeps the code and it in step. It
//! also holds every function of `src/` to [`MAX_FUNCTION_LINES`], as clippy's
//! `too_many_lines` would (`clippy.toml`), so that the suite enforces it without clippy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// The layers, lowest first. A new top-level module must be placed here.
const LAYERS: &[&[&str]] = &[
    // What an article is and what an audit says about it; hashing.
    &["data", "digest"],
    // Language identification and sentences.
    &["langid", "segment"],
    // Word lists and inflected forms.
    &["lexicon"],
    &["variants"],
    // Agreement rules, which spell their repairs as the variants do.
    &["agreement"],
    // Reading articles.
    &["input"],
    // Evidence: string heuristics and the language model.
    &["checks", "lm"],
    // Judgement: verdicts, scores and the gate.
    &["scoring", "gate"],
    &["config"],
    // The pipeline: article in, audit out, to a sink.
    &["audit"],
    // What consumes audits: report printers, the evaluation, the service.
    &["report", "eval", "serve"],
];

/// Longest function body, in lines of code (blank and comment-only lines not counted).
const MAX_FUNCTION_LINES: usize = 80;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module path of a source file: `src/checks/mod.rs` is `checks`, `src/lm/head.rs`
/// is `lm::head`.
fn module_of(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src()).expect("a file under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The file that defines module `path`, if it is a module.
fn module_file(path: &[String]) -> Option<PathBuf> {
    if path.is_empty() {
        return Some(src().join("lib.rs"));
    }
    let dir = path[..path.len() - 1]
        .iter()
        .fold(src(), |dir, part| dir.join(part));
    let name = &path[path.len() - 1];
    [
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ]
    .into_iter()
    .find(|f| f.is_file())
}

/// The file a path resolves to: the deepest module the path names (the item it ends in
/// lives in that module's file).
fn file_of(path: &[String]) -> PathBuf {
    let mut deepest = src().join("lib.rs");
    for end in 1..=path.len() {
        match module_file(&path[..end]) {
            Some(file) => deepest = file,
            None => break,
        }
    }
    deepest
}

/// Collects the crate-internal paths one file uses (in `use` items and in code).
struct Imports {
    module: Vec<String>,
    /// Inline modules (`mod tests { … }`) around the current item.
    inline: Vec<String>,
    paths: BTreeSet<Vec<String>>,
}

impl Imports {
    /// The absolute module path of `segments`, if they name something in this crate.
    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        let mut base = self.module.clone();
        let mut inline = self.inline.len();
        let mut rest = segments;
        match first.as_str() {
            "crate" => return Some(segments[1..].to_vec()),
            "self" | "super" => {
                while let Some(step) = rest.first().map(String::as_str) {
                    match step {
                        "self" => {}
                        "super" if inline > 0 => inline -= 1,
                        "super" => {
                            base.pop();
                        }
                        _ => break,
                    }
                    rest = &rest[1..];
                }
            }
            // A child module, named without `self::`.
            _ if inline == 0
                && module_file(&[base.clone(), vec![first.clone()]].concat()).is_some() => {}
            _ => return None,
        }
        if inline > 0 {
            // Inside an inline module: its own items are in this file.
            return Some(base);
        }
        Some([base, rest.to_vec()].concat())
    }

    fn add(&mut self, segments: Vec<String>) {
        if let Some(path) = self.resolve(&segments) {
            self.paths.insert(path);
        }
    }
}

fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => out.push(prefix.clone()),
        syn::UseTree::Name(n) => out.push([prefix.clone(), vec![n.ident.to_string()]].concat()),
        syn::UseTree::Rename(r) => out.push([prefix.clone(), vec![r.ident.to_string()]].concat()),
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_paths(t, prefix, out)),
    }
}

impl<'ast> Visit<'ast> for Imports {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let inline = item.content.is_some();
        if inline {
            self.inline.push(item.ident.to_string());
        }
        syn::visit::visit_item_mod(self, item);
        if inline {
            self.inline.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_paths(&item.tree, &mut Vec::new(), &mut paths);
        paths.into_iter().for_each(|p| self.add(p));
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() > 1 {
            self.add(path.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, path);
    }
}

fn library_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src/") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            library_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && path != src().join("main.rs") {
            out.push(path);
        }
    }
}

/// Every library file and the files it imports (itself left out).
fn import_graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut files = Vec::new();
    library_files(&src(), &mut files);
    files
        .into_iter()
        .map(|file| {
            let code = std::fs::read_to_string(&file).expect("readable source");
            let syntax =
                syn::parse_file(&code).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let mut imports = Imports {
                module: module_of(&file),
                inline: Vec::new(),
                paths: BTreeSet::new(),
            };
            imports.visit_file(&syntax);
            let targets = imports
                .paths
                .iter()
                .map(|p| file_of(p))
                .filter(|target| *target != file)
                .collect();
            (file, targets)
        })
        .collect()
}

fn name(file: &Path) -> String {
    file.strip_prefix(src()).unwrap().display().to_string()
}

fn layer_of(file: &Path) -> Option<usize> {
    let top = module_of(file).into_iter().next()?;
    let layer = LAYERS
        .iter()
        .position(|layer| layer.contains(&top.as_str()));
    Some(layer.unwrap_or_else(|| {
        panic!(
            "src/{}: module {top:?} is in no layer of tests/architecture.rs",
            name(file)
        )
    }))
}

#[test]
fn no_module_uses_one_of_a_higher_layer() {
    let mut upward = Vec::new();
    for (file, targets) in import_graph() {
        let Some(layer) = layer_of(&file) else {
            continue;
        };
        for target in targets {
            let same_module = module_of(&target).first() == module_of(&file).first();
            match layer_of(&target) {
                Some(target_layer) if target_layer < layer || same_module => {}
                _ => upward.push(format!("{} uses {}", name(&file), name(&target))),
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that go up or sideways:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_file_imports_itself_through_others() {
    let graph = import_graph();
    let cycles = strongly_connected(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            component
                .iter()
                .map(|f| name(f))
                .collect::<Vec<_>>()
                .join(" ⇄ ")
        })
        .collect::<Vec<_>>();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// Tarjan's strongly connected components of the import graph.
fn strongly_connected(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct State<'g> {
        graph: &'g BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'g Path, (usize, usize)>,
        stack: Vec<&'g Path>,
        on_stack: BTreeSet<&'g Path>,
        components: Vec<Vec<PathBuf>>,
    }
    fn visit<'g>(state: &mut State<'g>, node: &'g Path) {
        let n = state.index.len();
        state.index.insert(node, (n, n));
        state.stack.push(node);
        state.on_stack.insert(node);
        for next in state.graph.get(node).into_iter().flatten() {
            let next = next.as_path();
            if !state.index.contains_key(next) {
                visit(state, next);
                let low = state.index[next].1.min(state.index[node].1);
                state.index.get_mut(node).unwrap().1 = low;
            } else if state.on_stack.contains(next) {
                let low = state.index[next].0.min(state.index[node].1);
                state.index.get_mut(node).unwrap().1 = low;
            }
        }
        let (index, low) = state.index[node];
        if index == low {
            let mut component = Vec::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                component.push(top.to_path_buf());
                if top == node {
                    break;
                }
            }
            state.components.push(component);
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_path()) {
            visit(&mut state, node);
        }
    }
    state.components
}

/// Collects the functions of one file that are longer than [`MAX_FUNCTION_LINES`].
struct LongFunctions<'a> {
    lines: &'a [&'a str],
    found: Vec<String>,
}

impl LongFunctions<'_> {
    fn measure(&mut self, name: &syn::Ident, block: &syn::Block) {
        let braces = &block.brace_token.span;
        let (start, end) = (braces.open().start().line, braces.close().end().line);
        let code_lines = self.lines[start.saturating_sub(1)..end.min(self.lines.len())]
            .iter()
            .map(|line| line.trim())
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .count();
        if code_lines > MAX_FUNCTION_LINES {
            self.found
                .push(format!("{name} (line {start}): {code_lines} lines"));
        }
    }
}

impl<'ast> Visit<'ast> for LongFunctions<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.measure(&item.sig.ident, &item.block);
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.measure(&item.sig.ident, &item.block);
        syn::visit::visit_impl_item_fn(self, item);
    }
}

#[test]
fn no_function_in_src_is_longer_than_the_limit() {
    let mut files = Vec::new();
    library_files(&src(), &mut files);
    files.push(src().join("main.rs"));
    let mut long = Vec::new();
    for file in files {
        let code = std::fs::read_to_string(&file).expect("readable source");
        let lines: Vec<&str> = code.lines().collect();
        let syntax = syn::parse_file(&code).expect("parsable source");
        let mut visitor = LongFunctions {
            lines: &lines,
            found: Vec::new(),
        };
        visitor.visit_file(&syntax);
        long.extend(
            visitor
                .found
                .into_iter()
                .map(|f| format!("src/{}: {f}", name(&file))),
        );
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}
