//! Replays every saved fuzz reproducer (`regressions/<target>/*`) through the
//! same check the fuzz target runs, so a fixed crash stays fixed.

use std::path::Path;

#[test]
fn saved_reproducers_pass_their_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for target in grok_fuzz::TARGETS {
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
            let data = std::fs::read(file).unwrap();
            eprintln!("replaying {target}: {}", file.display());
            grok_fuzz::run(target, &data);
            replayed += 1;
        }
    }
    eprintln!("{replayed} reproducers replayed");
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
