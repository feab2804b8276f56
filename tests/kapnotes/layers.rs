//! The core's top-level modules point one way (docs/ARCHITECTURE.md, "Layers"): read
//! from the sources, the `crate::…` paths each module names form no cycle, and the vault
//! names none of the layers above it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The modules built on the vault, which it must never name.
const ABOVE_THE_VAULT: [&str; 4] = ["interchange", "search", "documents", "viewer"];

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The shipped code of a source file: its `#[cfg(test)]` module (always the file's last
/// item here) is left out, since tests may reach anywhere.
fn shipped(source: &str) -> &str {
    match source.find("#[cfg(test)]\nmod ") {
        Some(at) => &source[..at],
        None => source,
    }
}

/// What lib.rs re-exports at the crate root (`crate::Vault`), by the module it comes from.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        for item in items.trim_matches(|c| "{};".contains(c)).split(',') {
            names.insert(item.trim().to_owned(), module.to_owned());
        }
    }
    names
}

/// The top-level modules a piece of shipped code names through `crate::`, including
/// those in a grouped `use crate::{a::…, b::…}`.
fn named_modules(
    code: &str,
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut name = |word: &str| {
        if modules.contains(word) {
            named.insert(word.to_owned());
        } else if let Some(module) = reexports.get(word) {
            named.insert(module.clone());
        }
    };
    let word_at = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // Each item of the group starts a path: `crate::{records::Client, vault}`.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        name(&word_at(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            name(&word_at(after));
        }
    }
    named
}

/// Which top-level module of the core names which, read from src/.
fn core_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let reexports = root_reexports(&lib);
    let mut files = Vec::new();
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        if module == "lib" {
            continue;
        }
        modules.insert(module.clone());
        if path.is_dir() {
            let mut folder = vec![path];
            while let Some(dir) = folder.pop() {
                for inner in std::fs::read_dir(dir).unwrap() {
                    let inner = inner.unwrap().path();
                    if inner.is_dir() {
                        folder.push(inner);
                    } else if inner.extension().is_some_and(|e| e == "rs") {
                        files.push((module.clone(), inner));
                    }
                }
            }
        } else {
            files.push((module, path));
        }
    }
    assert!(
        modules.contains("vault") && files.len() > 40,
        "src/ was read"
    );
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (module, file) in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let named = named_modules(shipped(&source), &modules, &reexports);
        let edges = graph.get_mut(&module).unwrap();
        edges.extend(named.into_iter().filter(|m| *m != module));
    }
    graph
}

/// A cycle in `graph`, as the modules along it (first repeated at the end), if any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit<'a>(
        module: &'a str,
        graph: &'a Graph,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut cycle: Vec<String> = path[at..].iter().map(|m| (*m).to_owned()).collect();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_core_s_top_level_modules_form_no_cycle() {
    let graph = core_graph();
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the core's modules name each other in a circle: {}\n{graph:#?}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_vault_names_no_layer_above_it() {
    let graph = core_graph();
    let above: Vec<&String> = graph["vault"]
        .iter()
        .filter(|m| ABOVE_THE_VAULT.contains(&m.as_str()))
        .collect();
    assert!(
        above.is_empty(),
        "the vault names {above:?}: storage, keys and the trail may not depend on import/export, search or documents"
    );
}

#[test]
fn the_reading_finds_names_and_cycles() {
    let modules: BTreeSet<String> = ["vault", "search", "records", "error"]
        .map(str::to_owned)
        .into();
    let reexports =
        root_reexports("pub use error::{Error, Result};\npub use vault::{Access, Vault};");
    let code =
        "use crate::{records::Client, search};\nfn f() -> crate::Result<()> { crate::Vault::x() }";
    assert_eq!(
        named_modules(code, &modules, &reexports),
        ["error", "records", "search", "vault"]
            .map(str::to_owned)
            .into()
    );
    assert_eq!(
        shipped("a\n#[cfg(test)]\nmod tests { crate::search }"),
        "a\n"
    );
    let mut graph: Graph = BTreeMap::new();
    graph.insert("vault".into(), ["records".to_owned()].into());
    graph.insert("search".into(), ["vault".to_owned()].into());
    graph.insert("records".into(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    graph.get_mut("vault").unwrap().insert("search".into());
    assert_eq!(
        find_cycle(&graph),
        Some(["search", "vault", "search"].map(str::to_owned).to_vec())
    );
}
