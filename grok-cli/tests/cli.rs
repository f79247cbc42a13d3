//! Runs the real `grok-cli` binary.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_grok-cli"))
}

fn samples(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(name)
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grok-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs with `input` on stdin.
fn run(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn typed_json_for_an_expression() {
    let o = run(
        &[
            "-p",
            "%{IP:client} %{WORD:verb} %{NUMBER:bytes:int} %{NUMBER:secs:float}",
        ],
        b"10.0.0.1 GET 512 0.25\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\"client\":\"10.0.0.1\",\"verb\":\"GET\",\"bytes\":512,\"secs\":0.25}\n"
    );
}

#[test]
fn sshline_parses_every_bundled_secure_log_line() {
    let path = samples("secure.log");
    let o = bin()
        .args(["--pattern", "SSHLINE"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(
        lines[1],
        r#"{"timestamp":"Nov 15 03:35:36","logsource":"lc-conoha-1g","program":"sshd","pid":5850,"message":"Invalid user conectar from 1.1.1.1 port 39635","result":"Invalid","user":"conectar","remote":"1.1.1.1","port":39635}"#
    );
    // The README's command, with stdin.
    let input = std::fs::read(&path).unwrap();
    let o = run(&["--pattern", "SSHLINE"], &input);
    assert_eq!(stdout(&o).lines().count(), 10);
}

#[test]
fn combined_apache_log_and_ecs_nesting() {
    let line = std::fs::read_to_string(samples("nginx-access.log")).unwrap();
    let first = line.lines().next().unwrap();
    let o = run(
        &[
            "-p",
            "%{COMBINEDAPACHELOG}",
            "--fields",
            "clientip,response",
            "--format",
            "tsv",
        ],
        first.as_bytes(),
    );
    assert_eq!(stdout(&o), "clientip\tresponse\n213.32.122.0\t200\n");
    let o = run(
        &[
            "--ecs",
            "-p",
            "%{IP:[source][address]} %{INT:[http][status]:int}",
        ],
        b"10.1.1.1 404\n",
    );
    assert_eq!(
        stdout(&o),
        "{\"source\":{\"address\":\"10.1.1.1\"},\"http\":{\"status\":404}}\n"
    );
}

#[test]
fn count_by_most_frequent_first() {
    let input = std::fs::read(samples("secure.log")).unwrap();
    let o = run(
        &["-p", "SSHLINE", "--count-by", "remote", "--top", "1"],
        &input,
    );
    assert_eq!(stdout(&o), "{\"remote\":\"1.1.1.1\",\"count\":7}\n");
    let o = run(
        &[
            "-p",
            "SSHLINE",
            "--count-by",
            "result,remote",
            "--format",
            "tsv",
        ],
        &input,
    );
    let out = stdout(&o);
    assert!(out.starts_with("count\tresult\tremote\n"), "{out}");
    assert!(out.contains("3\tInvalid\t1.1.1.1\n"), "{out}");
}

#[test]
fn exit_status_follows_grep() {
    assert_eq!(run(&["-p", "%{INT:n}"], b"a 1\n").status.code(), Some(0));
    assert_eq!(
        run(&["-p", "%{INT:n}"], b"no digits\n").status.code(),
        Some(1)
    );
    assert_eq!(run(&["-p", "%{INT:n}"], b"").status.code(), Some(1));
    assert_eq!(run(&["-p", "%{NOPE}"], b"x\n").status.code(), Some(2));
    assert_eq!(run(&[], b"x\n").status.code(), Some(2));
}

#[test]
fn errors_say_what_and_where() {
    let o = run(&["--pattern", "SSHLIN"], b"x\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(
            "grok-cli: unknown pattern name SSHLIN in the expression; did you mean SSHLINE?"
        ),
        "{}",
        stderr(&o)
    );
    let o = run(&["-p", "%{IP:client"], b"x\n");
    assert!(stderr(&o).contains("malformed %{…}"), "{}", stderr(&o));
    assert!(stderr(&o).contains("(at offset 0)"), "{}", stderr(&o));
    let o = run(&["-p", "%{IP:ip} (oops"], b"x\n");
    assert!(
        stderr(&o).contains("unclosed group: missing ')'"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("(at offset 9)"), "{}", stderr(&o));
    let o = run(&["-p", "%{INT:n:integr}"], b"x\n");
    assert!(
        stderr(&o).contains("unknown type \"integr\""),
        "{}",
        stderr(&o)
    );
    let missing = temp("does-not-exist.log");
    let o = bin()
        .args(["-p", "%{INT:n}"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("cannot open {}", missing.display())),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_bytes_do_not_stop_it() {
    let o = run(
        &["-p", "%{NOTSPACE:w} %{INT:n:int}", "--stats"],
        b"caf\xe9 1\r\nnul\x00 2\r\nok 3\n",
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "{\"w\":\"caf\u{fffd}\",\"n\":1}\n{\"w\":\"nul\\u0000\",\"n\":2}\n{\"w\":\"ok\",\"n\":3}\n"
    );
    assert!(stderr(&o).contains("lines: 3\n"), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid_utf8: 1\n"), "{}", stderr(&o));
    // NUL bytes are ordinary characters.
    let o = run(&["-p", "%{INT:n:int}"], b"nul\x00 2\n");
    assert_eq!(stdout(&o), "{\"n\":2}\n");
}

#[test]
fn gzip_input_is_decompressed() {
    let path = temp("rotated.log.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"alpha 1\nbeta 2\n").unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let o = bin()
        .args(["-p", "%{WORD:w} %{INT:n:int}"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        stdout(&o),
        "{\"w\":\"alpha\",\"n\":1}\n{\"w\":\"beta\",\"n\":2}\n"
    );
}

#[test]
fn a_100_mb_line_is_parsed() {
    let mut input = Vec::with_capacity(100 << 20);
    input.extend_from_slice(b"start ");
    input.resize(100 << 20, b'x');
    input.extend_from_slice(b" 42 end\nnext 7 end\n");
    let o = run(&["-p", "%{INT:n:int} end", "--stats"], &input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"n\":42}\n{\"n\":7}\n");
}

#[test]
fn unmatched_lines_can_be_kept_or_reported() {
    let o = run(&["-p", "%{INT:n:int}", "--unmatched", "keep"], b"1\nnone\n");
    assert_eq!(
        stdout(&o),
        "{\"n\":1}\n{\"_unmatched\":true,\"_line\":\"none\"}\n"
    );
    let o = run(
        &["-p", "%{INT:n:int}", "--unmatched", "stderr"],
        b"1\nnone\n",
    );
    assert_eq!(stderr(&o), "none\n");
    let file = temp("unmatched.txt");
    let o = bin()
        .args(["-p", "Invalid user %{USER:u}", "--unmatched-file"])
        .arg(&file)
        .arg(samples("secure.log"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 3);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 7);
}

#[test]
fn several_patterns_first_wins_or_all() {
    let o = run(
        &[
            "-p",
            "%{INT:n:int}",
            "-p",
            "%{WORD:w}",
            "--with-pattern",
            "--with-line",
        ],
        b"hello\n",
    );
    assert_eq!(
        stdout(&o),
        "{\"w\":\"hello\",\"_pattern\":\"%{WORD:w}\",\"_pattern_index\":1,\"_line\":\"hello\"}\n"
    );
    let o = run(
        &["-p", "%{INT:n:int}", "-p", "%{WORD:w}", "--all-matches"],
        b"7\n",
    );
    assert_eq!(stdout(&o), "{\"n\":7}\n{\"w\":\"7\"}\n");
}

#[test]
fn definitions_and_pattern_files() {
    let file = temp("mine.patterns");
    std::fs::write(&file, "# mine\nTICKET [A-Z]+-[0-9]+\n").unwrap();
    let o = bin()
        .args([
            "--define",
            "PRIO=P[0-4]",
            "-p",
            "%{TICKET:t} %{PRIO:p}",
            "--patterns",
        ])
        .arg(&file)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"OPS-12 P1\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "{\"t\":\"OPS-12\",\"p\":\"P1\"}\n"
    );
}

#[test]
fn output_formats() {
    let args = ["-p", "%{WORD:a} %{GREEDYDATA:b}"];
    let o = run(
        &[&args[..], &["--format", "csv"]].concat(),
        b"x hello, \"world\"\n",
    );
    assert_eq!(stdout(&o), "a,b\nx,\"hello, \"\"world\"\"\"\n");
    let o = run(
        &[&args[..], &["--format", "logfmt"]].concat(),
        b"x hello world\n",
    );
    assert_eq!(stdout(&o), "a=x b=\"hello world\"\n");
    let o = run(
        &["-p", "%{WORD:a}", "--strict", "-p", "%{INT:n:int}"],
        b"abc\n",
    );
    assert_eq!(stdout(&o), "{\"a\":\"abc\"}\n");
}

#[test]
fn strict_conversion_errors_name_the_line() {
    let o = run(&["-p", "%{NOTSPACE:n:int}", "--strict"], b"12\nx1\n");
    assert_eq!(stdout(&o), "{\"n\":12}\n");
    assert!(
        stderr(&o).contains("grok-cli: line 2: field n: \"x1\" is not a valid int"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn threads_keep_input_order() {
    let mut input = String::new();
    for i in 0..30_000 {
        input.push_str(&format!(
            "host{} 10.0.{}.{} GET /p/{i} {}\n",
            i % 7,
            i % 250,
            i % 200,
            i % 500
        ));
    }
    let args = [
        "-p",
        "%{WORD:host} %{IP:ip} %{WORD:verb} %{URIPATH:path} %{INT:n:int}",
    ];
    let one = run(&[&args[..], &["--threads", "1"]].concat(), input.as_bytes());
    let four = run(&[&args[..], &["--threads", "4"]].concat(), input.as_bytes());
    assert_eq!(one.stdout.len(), four.stdout.len());
    assert!(one.stdout == four.stdout);
    assert_eq!(stdout(&one).lines().count(), 30_000);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut input = String::new();
    for i in 0..200_000 {
        input.push_str(&format!("line {i}\n"));
    }
    let mut child = bin()
        .args(["-p", "%{WORD:w} %{INT:n:int}"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    writer.join().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(err, "");
}

#[test]
fn introspection() {
    let o = bin().args(["list", "SSHLI"]).output().unwrap();
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .starts_with("SSHLINE\t%{SSHBASE3} %{SSHATTEMPT:message}"));
    let o = bin().args(["show", "COMBINEDAPACHELOG"]).output().unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("  bytes: string\n") && out.contains("engine: linear-time (every match"),
        "{out}"
    );
    let o = bin()
        .args([
            "explain",
            "-p",
            "SYSLOGBASE",
            "Nov 15 03:35:36 host sshd[12]",
        ])
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("this part fails:   :"), "{out}");
    assert!(out.contains("matched up to offset 29"), "{out}");
    let o = bin()
        .args([
            "discover",
            "2024-01-02T03:04:05Z 10.0.0.1 GET /index.html 200",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "%{TIMESTAMP_ISO8601} %{IPV4} %{WORD} %{UNIXPATH} %{NUMBER}\n"
    );
}
