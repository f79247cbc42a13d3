fn main() {
    let a: Vec<String> = std::env::args().collect();
    let lib = grok_core::PatternLibrary::legacy();
    let p = lib.compile(&a[1]).unwrap();
    let c = p.captures(&a[2]).unwrap();
    println!(
        "{:?}",
        c.map(|c| (c.decision(), serde_json::to_string(&c).unwrap()))
    );
}
