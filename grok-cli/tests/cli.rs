//! Runs the real `grok-cli` binary: output, exit statuses, messages.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run produced.
#[derive(Debug)]
struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A `grok-cli` invocation being built.
struct Grok {
    cmd: Command,
    stdin: Vec<u8>,
}

/// `grok-cli ARGS…`, with empty standard input.
fn grok(args: &[&str]) -> Grok {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grok-cli"));
    cmd.args(args);
    Grok {
        cmd,
        stdin: Vec::new(),
    }
}

impl Grok {
    fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Grok {
        self.cmd.arg(arg);
        self
    }

    fn stdin(mut self, input: impl Into<Vec<u8>>) -> Grok {
        self.stdin = input.into();
        self
    }

    fn run(mut self) -> Out {
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("grok-cli runs");
        let mut stdin = child.stdin.take().unwrap();
        let input = std::mem::take(&mut self.stdin);
        // A writer thread: the child may not read everything (errors).
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        Out {
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("the output is UTF-8"),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Out {
    /// Checks a successful run's exact output.
    #[track_caller]
    fn ok(&self, stdout: &str) {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        assert_eq!(
            self.stdout, stdout,
            "\n--- got ---\n{}--- want ---\n{stdout}",
            self.stdout
        );
    }

    /// Checks a failed run (status 2) whose stderr contains every piece.
    #[track_caller]
    fn fails_with(&self, pieces: &[&str]) {
        assert_eq!(
            self.code,
            Some(2),
            "stdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        for piece in pieces {
            assert!(
                self.stderr.contains(piece),
                "want {piece:?} in stderr:\n{}",
                self.stderr
            );
        }
    }
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(name)
}

/// A temporary path, unique to this process and test, removed on drop.
struct Temp(PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for Temp {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Temp {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for Temp {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

fn temp(name: &str) -> Temp {
    let dir = std::env::temp_dir().join(format!("grok-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Temp(dir.join(name))
}

const ACCESS: &str = "%{IP:client} %{WORD:verb} %{NUMBER:bytes:int}";

#[test]
fn typed_fields_become_json_numbers() {
    grok(&[
        "-p",
        ACCESS,
        "--pattern",
        "%{IP:client} %{NUMBER:secs:float} %{WORD:ok:boolean}",
    ])
    .stdin("10.0.0.1 GET 512\n10.0.0.2 0.25 true\nnothing here\n")
    .run()
    .ok(concat!(
        "{\"client\":\"10.0.0.1\",\"verb\":\"GET\",\"bytes\":512}\n",
        "{\"client\":\"10.0.0.2\",\"secs\":0.25,\"ok\":true}\n"
    ));
}

#[test]
fn combined_apache_log_first_nginx_line() {
    let first = std::fs::read_to_string(sample("nginx-access.log")).unwrap();
    let first = first.lines().next().unwrap().to_string();
    grok(&["--pattern", "COMBINEDAPACHELOG"]).stdin(first).run().ok(concat!(
        r#"{"clientip":"213.32.122.0","ident":"-","auth":"-","timestamp":"17/Nov/2020:03:38:33 +0900","#,
        r#""verb":"GET","request":"/","httpversion":"1.1","response":"200","bytes":"378","referrer":"\"-\"","#,
        r#""agent":"\"Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36\""}"#,
        "\n"
    ));
}

#[test]
fn sshline_matches_every_line_of_the_secure_sample() {
    let path = sample("secure.log");
    let text = std::fs::read_to_string(&path).unwrap();
    let out = grok(&["--pattern", "SSHLINE", "--unmatched", "keep"])
        .arg(&path)
        .run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), text.lines().count());
    assert!(!out.stdout.contains("_unmatched"), "{}", out.stdout);
    // The README's form: a bare name, the log on standard input.
    let second = text.lines().nth(1).unwrap();
    let out = grok(&["--pattern", "SSHLINE"]).stdin(second).run();
    out.ok(concat!(
        r#"{"timestamp":"Nov 15 03:35:36","logsource":"lc-conoha-1g","program":"sshd","pid":5850,"#,
        r#""message":"Invalid user conectar from 1.1.1.1 port 39635","result":"Invalid","user":"conectar","#,
        r#""remote":"1.1.1.1","port":39635}"#,
        "\n"
    ));
}

#[test]
fn ecs_names_nest_in_json_and_stay_as_written_in_tables() {
    let p = "%{IP:[source][address]} %{INT:[http][status]:int}";
    grok(&["--ecs", "-p", p])
        .stdin("10.1.1.1 404\n")
        .run()
        .ok("{\"source\":{\"address\":\"10.1.1.1\"},\"http\":{\"status\":404}}\n");
    grok(&[
        "--ecs",
        "-p",
        p,
        "--fields",
        "[http][status],[source][address]",
    ])
    .stdin("10.1.1.1 404\n")
    .run()
    .ok("{\"http\":{\"status\":404},\"source\":{\"address\":\"10.1.1.1\"}}\n");
    grok(&["--ecs", "-p", p, "--format", "tsv"])
        .stdin("10.1.1.1 404\n")
        .run()
        .ok("[source][address]\t[http][status]\n10.1.1.1\t404\n");
}

#[test]
fn count_by_most_frequent_first() {
    let secure = sample("secure.log");
    grok(&["-p", "SSHLINE", "--count-by", "remote"])
        .arg(&secure)
        .run()
        .ok("{\"remote\":\"1.1.1.1\",\"count\":7}\n{\"remote\":null,\"count\":2}\n{\"remote\":\"96.69.13.140\",\"count\":1}\n");
    grok(&["-p", "SSHLINE", "--count-by", "remote", "--top", "1"])
        .arg(&secure)
        .run()
        .ok("{\"remote\":\"1.1.1.1\",\"count\":7}\n");
    // Typed values stay typed; tables get a header.
    grok(&["-p", ACCESS, "--count-by", "verb,bytes", "--format", "tsv"])
        .stdin("1.1.1.1 GET 5\n1.1.1.2 GET 5\n1.1.1.3 PUT 7\n")
        .run()
        .ok("verb\tbytes\tcount\nGET\t5\t2\nPUT\t7\t1\n");
    grok(&["-p", ACCESS, "--count-by", "bytes"])
        .stdin("1.1.1.1 GET 5\n")
        .run()
        .ok("{\"bytes\":5,\"count\":1}\n");
    // Which pattern of a list matched, by index or by expression.
    let list = |more: &[&'static str]| {
        let mut args = vec!["-p", "%{INT:n:int}", "-p", "%{WORD:w}"];
        args.extend_from_slice(more);
        grok(&args)
    };
    let lines = "7\nx\ny\n8\nz\n!\n";
    list(&["--count-by", "_pattern_index"])
        .stdin(lines)
        .run()
        .ok("{\"_pattern_index\":1,\"count\":3}\n{\"_pattern_index\":0,\"count\":2}\n");
    list(&["--count-by", "_pattern,n", "--format", "tsv"])
        .stdin(lines)
        .run()
        .ok("_pattern\tn\tcount\n%{WORD:w}\t\t3\n%{INT:n:int}\t7\t1\n%{INT:n:int}\t8\t1\n");
}

#[test]
fn exit_status_follows_grep() {
    let code = |g: Grok| g.run().code;
    assert_eq!(code(grok(&["-p", "%{INT:n}"]).stdin("a 1\n")), Some(0));
    assert_eq!(
        code(grok(&["-p", "%{INT:n}"]).stdin("no digits\n")),
        Some(1)
    );
    assert_eq!(code(grok(&["-p", "%{INT:n}"])), Some(1));
    assert_eq!(code(grok(&["-p", "%{NOPE}"]).stdin("x\n")), Some(2));
    assert_eq!(code(grok(&[]).stdin("x\n")), Some(2));
    assert_eq!(code(grok(&["-p", "%{INT:n}", "--threads", "x"])), Some(2));
    // Errors along the way make it 2 even though lines matched.
    let missing = temp("missing.log");
    assert_eq!(
        code(
            grok(&["-p", "%{INT:n}"])
                .arg(&missing)
                .arg(sample("secure.log"))
        ),
        Some(2)
    );
    assert_eq!(
        code(grok(&["-p", "%{NOTSPACE:n:int}", "--strict"]).stdin("1\nx\n")),
        Some(2)
    );
    assert_eq!(code(grok(&["list", "SSHLINE"])), Some(0));
    assert_eq!(code(grok(&["list", "NO_SUCH_THING"])), Some(1));
}

#[test]
fn errors_say_what_and_where() {
    grok(&["--pattern", "SSHLIN"])
        .stdin("x\n")
        .run()
        .fails_with(&[
            "grok-cli: unknown pattern name SSHLIN",
            "did you mean SSHLINE?",
        ]);
    grok(&["-p", "%{IP:x"]).run().fails_with(&[
        "grok-cli: malformed %{…}",
        "\n    %{IP:x\n    ^\n(at offset 0)",
    ]);
    grok(&["-p", "%{IP:ip} (oops"]).run().fails_with(&[
        "unclosed group: missing ')'",
        "\n    %{IP:ip} (oops\n             ^\n(at offset 9)",
    ]);
    grok(&["-p", "%{INT:n:integr}"])
        .run()
        .fails_with(&["grok-cli: unknown type \"integr\""]);
    let missing = temp("does-not-exist.log");
    let out = grok(&["-p", "%{INT:n}"]).arg(&missing).run();
    out.fails_with(&[&format!("grok-cli: cannot open {}: ", missing.display())]);
    grok(&["-p", ACCESS, "--fields", "client,byte"]).run().fails_with(&[
        "grok-cli: --fields: no pattern has a field named \"byte\"; the fields are: client, verb, bytes",
    ]);
    grok(&["-p", ACCESS, "--count-by", "_line"])
        .run()
        .fails_with(&["--count-by: no pattern has a field named \"_line\""]);
    grok(&["--define", "NOEQUALS", "-p", "x"])
        .run()
        .fails_with(&["--define expects NAME=REGEX"]);
    let out = grok(&["-p", "%{NOTSPACE:n:int}", "--strict"])
        .stdin("12\nx1\n")
        .run();
    assert_eq!(out.stdout, "{\"n\":12}\n");
    out.fails_with(&["grok-cli: <stdin>:2: field n: \"x1\" is not a valid int"]);
}

#[test]
fn invalid_utf8_is_decoded_lossily_and_counted() {
    let out = grok(&["-p", "%{DATA:w} %{INT:n:int}", "--stats"])
        .stdin(&b"caf\xe9 1\nok 2\n\xff\xfe\n"[..])
        .run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "{\"w\":\"caf\u{fffd}\",\"n\":1}\n{\"w\":\"ok\",\"n\":2}\n"
    );
    for line in [
        "lines: 3\n",
        "matched: 2\n",
        "unmatched: 1\n",
        "invalid_utf8: 2\n",
        "errors: 0\n",
        "exact_fallback: 0\n",
    ] {
        assert!(
            out.stderr.contains(line),
            "want {line:?} in:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("lines_per_second: "), "{}", out.stderr);
    // Unmatched lines are passed on as they were read, bytes intact.
    let file = temp("unmatched-bytes.txt");
    grok(&["-p", "%{INT:n:int}", "--unmatched-file"])
        .arg(&file)
        .stdin(&b"1\n\xff\xfe\n"[..])
        .run()
        .ok("{\"n\":1}\n");
    assert_eq!(std::fs::read(&file).unwrap(), b"\xff\xfe\n");
}

#[test]
fn nul_bytes_and_crlf_endings() {
    grok(&["-p", "%{WORD:w}=%{DATA:v};", "--with-line"])
        .stdin(&b"a=x\x00y;\r\nb=2;\r\n\r\nc=3;"[..])
        .run()
        .ok(concat!(
            "{\"w\":\"a\",\"v\":\"x\\u0000y\",\"_line\":\"a=x\\u0000y;\"}\n",
            "{\"w\":\"b\",\"v\":\"2\",\"_line\":\"b=2;\"}\n",
            "{\"w\":\"c\",\"v\":\"3\",\"_line\":\"c=3;\"}\n",
        ));
}

#[test]
fn gzip_is_read_transparently() {
    let gz_path = temp("rotated.log.1.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"alpha 1\nbeta 2\n").unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(&gz_path, &gz).unwrap();
    let plain = temp("rotated.log");
    std::fs::write(&plain, "gamma 3\n").unwrap();
    let want = "{\"w\":\"alpha\",\"n\":1}\n{\"w\":\"beta\",\"n\":2}\n";
    let p = "%{WORD:w} %{INT:n:int}";
    grok(&["-p", p]).arg(&gz_path).run().ok(want);
    grok(&["-p", p, "-"]).stdin(gz).run().ok(want);
    grok(&["-p", p])
        .arg(&gz_path)
        .arg(&plain)
        .run()
        .ok(&format!("{want}{{\"w\":\"gamma\",\"n\":3}}\n"));
}

#[test]
fn a_100_mb_line_is_parsed() {
    let mut input = Vec::with_capacity((100 << 20) + 64);
    input.extend_from_slice(b"start ");
    input.resize(100 << 20, b'x');
    input.extend_from_slice(b" 42 end\nnext 7 end\n");
    let out = grok(&["-p", "%{INT:n:int} end", "--stats"])
        .stdin(input)
        .run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, "{\"n\":42}\n{\"n\":7}\n");
    assert!(out.stderr.contains("lines: 2\n"), "{}", out.stderr);
}

#[test]
fn empty_input_matches_nothing() {
    let out = grok(&["-p", "%{INT:n}"]).run();
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (Some(1), "", "")
    );
    // Tables still get their header.
    let out = grok(&["-p", ACCESS, "--format", "csv"]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(1), "client,verb,bytes\n")
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let input = temp("many-lines.log");
    let lines: String = (0..200_000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(&input, lines).unwrap();
    for threads in ["1", "2"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_grok-cli"))
            .args(["-p", "%{WORD:w} %{INT:n:int}", "--threads", threads])
            .arg(&input)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert_eq!(first, "{\"w\":\"line\",\"n\":0}\n");
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "--threads {threads}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "--threads {threads}"
        );
    }
}

#[test]
fn threads_give_the_same_output_in_the_same_order() {
    let mut input = String::new();
    for i in 0..20_000 {
        if i % 97 == 0 {
            input.push_str("an unmatched line\n");
        }
        input.push_str(&format!(
            "host{} 10.0.{}.{} GET /p/{i} {}\n",
            i % 7,
            i % 250,
            i % 200,
            i % 500
        ));
    }
    let p = "%{WORD:host} %{IP:ip} %{WORD:verb} %{URIPATH:path} %{INT:n:int}";
    let run = |threads: &str, extra: &[&str]| {
        let args = [
            &["-p", p, "--threads", threads, "--unmatched", "keep"][..],
            extra,
        ]
        .concat();
        let out = grok(&args).stdin(input.clone()).run();
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        out.stdout
    };
    let one = run("1", &[]);
    assert_eq!(one.lines().count(), 20_000 + 20_000 / 97 + 1);
    assert!(one == run("4", &[]), "--threads 4 differs from --threads 1");
    assert!(one == run("3", &["--line-buffered"]), "--threads 3 differs");
    let count = ["--count-by", "host,verb"];
    assert_eq!(run("1", &count), run("4", &count));
}

#[test]
fn output_formats() {
    let p = ["-p", "%{WORD:a} %{GREEDYDATA:b}"];
    let input = "x hello, \"world\"\ty\\z\n";
    let with = |format: &str| {
        grok(&[&p[..], &["--format", format]].concat())
            .stdin(input)
            .run()
    };
    with("tsv").ok("a\tb\nx\thello, \"world\"\\ty\\\\z\n");
    with("csv").ok("a,b\nx,\"hello, \"\"world\"\"\ty\\z\"\n");
    with("logfmt").ok("a=x b=\"hello, \\\"world\\\"\\ty\\\\z\"\n");
    with("jsonl").ok("{\"a\":\"x\",\"b\":\"hello, \\\"world\\\"\\ty\\\\z\"}\n");
    // Chosen columns, metadata, several values of a field, missing fields.
    grok(&[
        "-p",
        "%{INT:n:int} %{INT:n:int}",
        "-p",
        "%{WORD:w}",
        "--format",
        "csv",
        "--fields",
        "w,n,_pattern_index",
    ])
    .stdin("1 2\nabc\n")
    .run()
    .ok("w,n,_pattern_index\n,\"1,2\",0\nabc,,1\n");
    grok(&["-p", "%{INT:n:int} %{INT:n:int}", "-p", "%{WORD:w}", "--format", "logfmt", "--with-pattern"])
        .stdin("1 2\nabc\n")
        .run()
        .ok("n=1,2 _pattern_index=0 _pattern=\"%{INT:n:int} %{INT:n:int}\"\nw=abc _pattern_index=1 _pattern=%{WORD:w}\n");
}

#[test]
fn unmatched_lines_skipped_kept_or_reported() {
    let p = ["-p", "%{INT:n:int}"];
    let input = "1\nnone\n2\n";
    let with = |extra: &[&str]| grok(&[&p[..], extra].concat()).stdin(input).run();
    with(&[]).ok("{\"n\":1}\n{\"n\":2}\n");
    with(&["--unmatched", "keep"])
        .ok("{\"n\":1}\n{\"_unmatched\":true,\"_line\":\"none\"}\n{\"n\":2}\n");
    with(&["--unmatched", "keep", "--format", "tsv"]).ok("n\t_line\n1\t1\n\tnone\n2\t2\n");
    with(&["--unmatched", "keep", "--format", "logfmt"])
        .ok("n=1\n_unmatched=true _line=none\nn=2\n");
    let out = with(&["--unmatched", "stderr"]);
    out.ok("{\"n\":1}\n{\"n\":2}\n");
    assert_eq!(out.stderr, "none\n");
    let file = temp("unmatched.txt");
    grok(&["-p", "SSHLINE", "--unmatched-file"])
        .arg(&file)
        .stdin("not sshd\nNov 15 03:35:36 lc-conoha-1g sshd[5850]: Invalid user conectar from 1.1.1.1 port 39635\nnor this\n")
        .run()
        .ok("{\"timestamp\":\"Nov 15 03:35:36\",\"logsource\":\"lc-conoha-1g\",\"program\":\"sshd\",\"pid\":5850,\"message\":\"Invalid user conectar from 1.1.1.1 port 39635\",\"result\":\"Invalid\",\"user\":\"conectar\",\"remote\":\"1.1.1.1\",\"port\":39635}\n");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "not sshd\nnor this\n"
    );
}

#[test]
fn several_patterns_first_wins_or_all() {
    let ps = ["-p", "%{INT:n:int}", "-p", "%{WORD:w}"];
    grok(&[&ps[..], &["--with-pattern", "--with-line"]].concat())
        .stdin("hello\n7\n")
        .run()
        .ok(concat!(
            "{\"w\":\"hello\",\"_pattern_index\":1,\"_pattern\":\"%{WORD:w}\",\"_line\":\"hello\"}\n",
            "{\"n\":7,\"_pattern_index\":0,\"_pattern\":\"%{INT:n:int}\",\"_line\":\"7\"}\n",
        ));
    grok(&[&ps[..], &["--all-matches"]].concat())
        .stdin("7\nx\n")
        .run()
        .ok("{\"n\":7}\n{\"w\":\"7\"}\n{\"w\":\"x\"}\n");
    // A match without fields is an empty object; metadata still fits.
    grok(&["-p", "(?:GET)", "--with-pattern"])
        .stdin("GET\n")
        .run()
        .ok("{\"_pattern_index\":0,\"_pattern\":\"(?:GET)\"}\n");
}

#[test]
fn definitions_pattern_files_and_options() {
    let file = temp("mine.patterns");
    std::fs::write(&file, "# mine\nTICKET [A-Z]+-[0-9]+\n").unwrap();
    let dir = temp("patterns.d");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("more"), "TEAM [a-z]+\n").unwrap();
    grok(&[
        "--define",
        "PRIO=P[0-4]",
        "-p",
        "%{TICKET:t} %{PRIO:p} %{TEAM:team}",
        "--patterns",
    ])
    .arg(&file)
    .arg("--patterns")
    .arg(&dir)
    .stdin("OPS-12 P1 infra\n")
    .run()
    .ok("{\"t\":\"OPS-12\",\"p\":\"P1\",\"team\":\"infra\"}\n");
    grok(&["-p", "%{WORD:a}:%{DATA:b}:", "--keep-empty"])
        .stdin("x::\n")
        .run()
        .ok("{\"a\":\"x\",\"b\":\"\"}\n");
    grok(&["-p", "%{WORD:a}:%{DATA:b}:"])
        .stdin("x::\n")
        .run()
        .ok("{\"a\":\"x\"}\n");
    grok(&["-p", "%{NOTSPACE:n:int}"])
        .stdin("12abc\n")
        .run()
        .ok("{\"n\":12}\n");
}

#[test]
fn explain_shows_where_the_match_stops() {
    let out = grok(&[
        "explain",
        "-p",
        "SYSLOGBASE",
        "Nov 15 03:35:36 host sshd[12]",
    ])
    .run();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(
        out.stdout,
        concat!(
            "no match: SYSLOGBASE\n",
            "  expression: %{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:\n",
            "  parts: 7 (6 match, part 7 fails)\n",
            "  matched:    %{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}\n",
            "  fails:      :\n",
            "  at byte 29 of 29:\n",
            "    Nov 15 03:35:36 host sshd[12]\n",
            "                                 ^\n",
            "  captured so far:\n",
            "    timestamp: Nov 15 03:35:36\n",
            "    logsource: host\n",
            "    program: sshd\n",
            "    pid: 12\n",
        )
    );
    let out = grok(&["explain", "-p", ACCESS])
        .stdin("10.0.0.1 GET lots\n10.0.0.1 GET 12\n")
        .run();
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.contains("  fails:      %{NUMBER:bytes:int}\n  at byte 13 of 17:\n    10.0.0.1 GET lots\n                 ^\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("  to look inside it: grok-cli explain -p NUMBER 'lots'\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("\nmatch: %{IP:client} %{WORD:verb} %{NUMBER:bytes:int}\n  {\"client\":\"10.0.0.1\",\"verb\":\"GET\",\"bytes\":12}\n"), "{}", out.stdout);
    grok(&["explain", "-p", "%{IP:ip}", "1.2.3.4"])
        .run()
        .ok("match: %{IP:ip}\n  {\"ip\":\"1.2.3.4\"}\n");
}

#[test]
fn discover_proposes_an_expression_that_matches() {
    let lines = [
        "2024-01-02T03:04:05Z 10.0.0.1 GET /index.html 200",
        "Nov 15 03:35:36 lc-conoha-1g sshd[5850]: Invalid user conectar from 1.1.1.1 port 39635",
    ];
    let out = grok(&["discover", lines[0], lines[1]]).run();
    out.ok(concat!(
        "%{TIMESTAMP_ISO8601} %{IPV4} %{WORD} %{UNIXPATH} %{NUMBER}\n",
        "%{SYSLOGTIMESTAMP} %{HOSTNAME} %{WORD}\\[%{NUMBER}\\]: %{WORD} %{WORD} %{WORD} %{WORD} %{IPV4} %{WORD} %{NUMBER}\n",
    ));
    let nginx = std::fs::read_to_string(sample("nginx-access.log")).unwrap();
    let nginx = nginx.lines().next().unwrap();
    let out = grok(&["discover"]).stdin(format!("{nginx}\r\n")).run();
    out.ok("%{IPV4} - - \\[%{HTTPDATE}\\] %{QS} %{NUMBER} %{NUMBER} %{QS} %{QS} %{QS}\n");
    // Every proposal matches its own line.
    for line in lines.iter().copied().chain([nginx]) {
        let expr = grok(&["discover", line]).run().stdout;
        let out = grok(&["-p", expr.trim_end()]).stdin(line).run();
        assert_eq!(out.code, Some(0), "{expr} on {line}: {}", out.stderr);
    }
}

#[test]
fn list_and_show() {
    let out = grok(&["list", "sshli"]).run();
    out.ok("SSHLINE\t%{SSHBASE3} %{SSHATTEMPT:message}\n");
    let out = grok(&["show", "COMBINEDAPACHELOG"]).run();
    assert_eq!(out.code, Some(0));
    assert!(
        out.stdout.starts_with(
            "name:       COMBINEDAPACHELOG\ndefinition: %{HTTPD_COMBINEDLOG}\nfields:\n"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\n  clientip     string\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\nlinear:     yes"), "{}", out.stdout);
    assert!(out.stdout.contains("\nregex:      (?"), "{}", out.stdout);
    let out = grok(&["show", "%{INT:n:int}"]).run();
    assert!(
        out.stdout
            .starts_with("expression: %{INT:n:int}\nfields:\n  n  int\n"),
        "{}",
        out.stdout
    );
    grok(&["show", "SYSLOGBAS"])
        .run()
        .fails_with(&["did you mean SYSLOGBASE?"]);
}

#[test]
fn help_and_version() {
    let out = grok(&["--help"]).run();
    assert_eq!(out.code, Some(0));
    for piece in [
        "Examples:",
        "grok-cli --pattern SSHLINE < /var/log/secure",
        "U+FFFD",
        "Exit status",
        "--count-by",
        "explain",
        "discover",
    ] {
        assert!(out.stdout.contains(piece), "want {piece:?} in --help");
    }
    let out = grok(&["--version"]).run();
    out.ok(&format!("grok-cli {}\n", env!("CARGO_PKG_VERSION")));
}
