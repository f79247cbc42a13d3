//! Replays every saved fuzz reproducer (`regressions/<target>/*`) through the
//! same check the fuzz target runs, so a fixed crash stays fixed. Each gets a
//! time budget: a reproducer of a hang fails the test instead of hanging it.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Generous for a debug build: a fixed input takes milliseconds.
const BUDGET: Duration = Duration::from_secs(20);

/// Runs one reproducer on a thread; panics if it panics or overruns [`BUDGET`].
fn replay(target: &'static str, file: &Path) {
    let data = std::fs::read(file).unwrap();
    eprintln!(
        "replaying {target}: {} ({:?})",
        file.display(),
        String::from_utf8_lossy(&data)
    );
    let (done, wait) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| grok_fuzz::run(target, &data));
        let _ = done.send(outcome.is_ok());
    });
    match wait.recv_timeout(BUDGET) {
        Ok(true) => {}
        Ok(false) => panic!(
            "{target}: {} fails its check (see the message above)",
            file.display()
        ),
        Err(_) => panic!("{target}: {} still runs after {BUDGET:?}", file.display()),
    }
}

#[test]
fn saved_reproducers_pass_their_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    let mut failed = Vec::new();
    for &target in grok_fuzz::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.is_file()) {
            if file
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if std::panic::catch_unwind(|| replay(target, file)).is_err() {
                failed.push(file.display().to_string());
            }
            replayed += 1;
        }
    }
    eprintln!("{replayed} reproducers replayed");
    assert!(
        failed.is_empty(),
        "reproducers that still fail: {failed:#?}"
    );
}

/// The checks pass on ordinary inputs (so a failing reproducer means a bug,
/// not a broken check).
#[test]
fn checks_pass_on_ordinary_inputs() {
    let apache = br#"203.0.113.9 - - [15/Nov/2023:03:34:01 +0100] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0""#;
    let syslog = b"Nov 15 03:34:01 web01 sshd[4242]: Invalid user admin from 203.0.113.9 port 4242";
    for target in grok_fuzz::TARGETS {
        for data in [
            &apache[..],
            &syslog[..],
            b"",
            b"%{IP:ip} %{WORD}",
            b"A %{B}\nB [a-z]+ %{A}\nC %{INT:x:int}\n",
        ] {
            grok_fuzz::run(target, data);
        }
    }
}

/// The differential target reaches both of grok-core's paths: look-around
/// checks on the linear-time path (IPV4 next to longer numbers), and the
/// exact engine (SYSLOGPAMSESSION, the one legacy definition not wholly
/// linear: a look-ahead holding a capture).
#[test]
fn differential_covers_both_engines() {
    let lib = grok_core::PatternLibrary::legacy();
    let cases = [
        (
            "%{IPV4:ip}",
            "12345.6.7.8 then 1.2.3.4",
            grok_core::Decision::Linear,
        ),
        (
            "%{SYSLOGPAMSESSION}",
            "Nov 15 03:34:01 web01 sshd[77]: pam_unix(sshd:session): session opened for user root by (uid=0)",
            grok_core::Decision::Exact,
        ),
    ];
    for (expr, line, decision) in cases {
        let p = lib.compile(expr).unwrap();
        let caps = p.captures(line).unwrap().expect("matches");
        assert_eq!(caps.decision(), decision, "{expr} on {line:?}");
        grok_fuzz::run("differential", line.as_bytes());
    }
}
