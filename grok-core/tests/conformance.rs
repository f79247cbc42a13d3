//! Runs every case of `testdata/conformance.jsonl` (extracted from the
//! upstream Logstash pattern spec suite, Apache-2.0) through grok-core.

use std::collections::BTreeMap;

use grok_core::{PatternLibrary, Value};
use serde_json::Value as Json;

/// Cases where we knowingly differ from upstream, with the reason.
const EXPECTED_DIFFERENCES: &[(&str, &str, &str)] = &[];

fn library(mode: &str) -> PatternLibrary {
    match mode {
        "legacy" => PatternLibrary::legacy(),
        "ecs-v1" => PatternLibrary::ecs_v1(),
        other => panic!("unknown mode {other}"),
    }
}

fn value_json(v: &Value<'_>) -> Json {
    match *v {
        Value::Str(s) => Json::from(s),
        Value::Int(i) => Json::from(i),
        Value::Float(f) => Json::from(f),
        Value::Bool(b) => Json::from(b),
    }
}

fn same(expected: &Json, got: &Json) -> bool {
    match (expected, got) {
        (Json::Number(a), Json::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            (a - b).abs() <= 1e-9 * a.abs().max(1.0)
        }
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => expected == got,
    }
}

fn check(case: &Json) -> Result<(), String> {
    let mode = case["mode"].as_str().unwrap();
    let pattern = case["pattern"].as_str().unwrap();
    let input = case["input"].as_str().unwrap();
    let lib = library(mode);
    let compiled = lib
        .compile(pattern)
        .map_err(|e| format!("compile error: {e}"))?;
    let caps = compiled
        .captures(input)
        .map_err(|e| format!("match error: {e}"))?;
    let expect_match = case["expect"] == "match";
    let Some(caps) = caps else {
        return if expect_match {
            Err("expected a match, got none".into())
        } else {
            Ok(())
        };
    };
    if !expect_match {
        return Err(format!(
            "expected no match, got {}",
            serde_json::to_string(&caps).unwrap()
        ));
    }
    let mut got: BTreeMap<String, Json> = BTreeMap::new();
    for (field, values) in caps.iter() {
        let json = match values {
            [one] => value_json(one),
            many => Json::Array(many.iter().map(value_json).collect()),
        };
        got.insert(field.name().to_string(), json);
    }
    let expected = case["fields"].as_object().unwrap();
    let mut problems = Vec::new();
    for (name, want) in expected {
        match got.get(name) {
            None => problems.push(format!("missing {name} (want {want})")),
            Some(have) if !same(want, have) => {
                problems.push(format!("{name}: want {want}, got {have}"))
            }
            _ => {}
        }
    }
    if case["partial"] == false {
        for name in got.keys() {
            if !expected.contains_key(name) {
                problems.push(format!("unexpected field {name} = {}", got[name]));
            }
        }
    }
    for name in case["absent"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap();
        if let Some(v) = got.get(name) {
            problems.push(format!("field {name} should be absent, got {v}"));
        }
    }
    for prefix in case["exact"].as_array().into_iter().flatten() {
        let prefix = prefix.as_str().unwrap();
        for name in got.keys() {
            if name.starts_with(prefix) && !expected.contains_key(name) {
                problems.push(format!("unexpected field {name} under {prefix}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn all_conformance_cases_agree_with_logstash() {
    let text = include_str!("../../testdata/conformance.jsonl");
    let mut failures = Vec::new();
    let mut total = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Json = serde_json::from_str(line).unwrap();
        total += 1;
        let id = case["id"].as_str().unwrap();
        let mode = case["mode"].as_str().unwrap();
        let known = EXPECTED_DIFFERENCES
            .iter()
            .find(|(i, m, _)| *i == id && *m == mode);
        match (check(&case), known) {
            (Ok(()), None) => {}
            (Ok(()), Some(_)) => failures.push(format!(
                "{id} [{mode}]: listed as a difference but now agrees"
            )),
            (Err(_), Some(_)) => {}
            (Err(e), None) => failures.push(format!("{id} [{mode}] {}: {e}", case["pattern"])),
        }
    }
    assert_eq!(total, 455, "the corpus has 455 cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
