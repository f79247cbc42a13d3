use grok_core::PatternLibrary;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lib = if args.get(3).map(|s| s.as_str()) == Some("ecs") {
        PatternLibrary::ecs_v1()
    } else {
        PatternLibrary::legacy()
    };
    let p = match lib.compile(&args[1]) {
        Ok(p) => p,
        Err(e) => {
            println!("ERR {e}");
            return;
        }
    };
    println!(
        "linear={} fields={:?}",
        p.is_linear(),
        p.fields().iter().map(|f| f.name()).collect::<Vec<_>>()
    );
    match p.captures(&args[2]) {
        Ok(Some(c)) => println!("{:?} {}", c.decision(), serde_json::to_string(&c).unwrap()),
        Ok(None) => println!("no match"),
        Err(e) => println!("ERR {e}"),
    }
}
