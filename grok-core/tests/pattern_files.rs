//! Every definition of the built-in library compiles in both flavours and
//! matches at least one sample line (`testdata/pattern_samples.jsonl`), and
//! the sshd family gives the expected fields (`testdata/sshd.jsonl`).

use std::collections::{BTreeMap, BTreeSet};

use grok_core::{CompileOptions, Flavour, PatternLibrary, Value};
use serde_json::Value as Json;

fn library(flavour: &str) -> PatternLibrary {
    match flavour {
        "legacy" => PatternLibrary::legacy(),
        "ecs-v1" => PatternLibrary::ecs_v1(),
        other => panic!("unknown flavour {other}"),
    }
}

fn cases(text: &str) -> Vec<Json> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_definition_compiles_in_both_flavours() {
    let mut failures = Vec::new();
    for flavour in [Flavour::Legacy, Flavour::EcsV1] {
        let lib = PatternLibrary::builtin(flavour);
        for name in lib.names() {
            if let Err(e) = lib.compile_with(&format!("%{{{name}}}"), &CompileOptions::new()) {
                failures.push(format!("{flavour:?} {name}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_definition_matches_a_sample_line() {
    let samples = cases(include_str!("../../testdata/pattern_samples.jsonl"));
    let mut covered: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &samples {
        let flavour = case["flavour"].as_str().unwrap();
        let name = case["name"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let lib = library(flavour);
        match lib.compile(&format!("%{{{name}}}")) {
            Ok(p) if p.is_match(input) => {
                covered.entry(flavour).or_default().insert(name.to_string());
            }
            Ok(_) => failures.push(format!("{flavour} {name} does not match {input:?}")),
            Err(e) => failures.push(format!("{flavour} {name}: {e}")),
        }
    }
    for flavour in ["legacy", "ecs-v1"] {
        for name in library(flavour).names() {
            if !covered.get(flavour).is_some_and(|c| c.contains(name)) {
                failures.push(format!("{flavour} {name} has no sample line"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn to_json(v: &Value<'_>) -> Json {
    match *v {
        Value::Str(s) => Json::from(s),
        Value::Int(i) => Json::from(i),
        Value::Float(f) => Json::from(f),
        Value::Bool(b) => Json::from(b),
    }
}

#[test]
fn sshd_lines_give_their_fields() {
    let mut failures = Vec::new();
    let all = cases(include_str!("../../testdata/sshd.jsonl"));
    assert!(all.len() >= 15, "expected a case per sshd message kind");
    for case in &all {
        let name = case["name"].as_str().unwrap();
        let pattern = case["pattern"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        for lib in [PatternLibrary::legacy(), PatternLibrary::ecs_v1()] {
            let p = lib.compile(pattern).unwrap();
            let Some(caps) = p.captures(input).unwrap() else {
                failures.push(format!("{name}: {pattern} does not match {input:?}"));
                continue;
            };
            let got: BTreeMap<String, Json> = caps
                .iter()
                .map(|(f, vals)| {
                    let v = match vals {
                        [one] => to_json(one),
                        many => Json::Array(many.iter().map(to_json).collect()),
                    };
                    (f.name().to_string(), v)
                })
                .collect();
            let want: BTreeMap<String, Json> = case["fields"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if got != want {
                failures.push(format!("{name}:\n  want {want:?}\n  got  {got:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sshline_matches_every_line_of_the_bundled_secure_log() {
    let p = PatternLibrary::legacy().compile("%{SSHLINE}").unwrap();
    for line in include_str!("../../samples/secure.log").lines() {
        assert!(
            p.captures(line).unwrap().is_some(),
            "SSHLINE does not match {line:?}"
        );
    }
}
