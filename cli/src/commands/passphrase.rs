//! Where secrets come from: a no-echo prompt on a terminal, else one per line of
//! standard input (only the line ending stripped, so a passphrase may hold spaces).

use super::Failure;
use std::io::{BufRead, IsTerminal};
use zeroize::Zeroizing;

pub enum Input {
    Terminal,
    Lines(Box<dyn BufRead>),
}

impl Input {
    pub fn from_environment() -> Self {
        if std::io::stdin().is_terminal() {
            Input::Terminal
        } else {
            Input::Lines(Box::new(std::io::BufReader::new(std::io::stdin())))
        }
    }

    /// One secret: prompted on a terminal, else the next line of standard input.
    pub fn secret(&mut self, prompt: &str) -> Result<Zeroizing<String>, Failure> {
        match self {
            Input::Terminal => rpassword::prompt_password(format!("{prompt}: "))
                .map(Zeroizing::new)
                .map_err(|e| {
                    Failure::other(format!(
                        "The passphrase could not be read from the terminal ({e})."
                    ))
                }),
            Input::Lines(reader) => {
                let mut line = Zeroizing::new(String::new());
                let read = reader.read_line(&mut line).map_err(|e| {
                    Failure::other(format!("Standard input could not be read ({e})."))
                })?;
                if read == 0 {
                    return Err(Failure::usage(format!(
                        "Expected the {} on standard input, but it ended.",
                        prompt.to_lowercase()
                    )));
                }
                if line.ends_with('\n') {
                    line.pop();
                    if line.ends_with('\r') {
                        line.pop();
                    }
                }
                Ok(line)
            }
        }
    }

    /// A line typed in the open (a confirmation): prompted on a terminal, else the next
    /// line of standard input.
    pub fn line(&mut self, prompt: &str) -> Result<Zeroizing<String>, Failure> {
        if let Input::Terminal = self {
            use std::io::Write;
            eprint!("{prompt}: ");
            let _ = std::io::stderr().flush();
            let mut line = Zeroizing::new(String::new());
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::other(format!("Standard input could not be read ({e}).")))?;
            return Ok(Zeroizing::new(
                line.trim_end_matches(['\n', '\r']).to_owned(),
            ));
        }
        self.secret(prompt)
    }

    /// A new secret: asked twice on a terminal, and the two must match.
    pub fn new_secret(&mut self, prompt: &str) -> Result<Zeroizing<String>, Failure> {
        let first = self.secret(prompt)?;
        if let Input::Terminal = self {
            let again = self.secret(&format!("{prompt} (again)"))?;
            if *again != *first {
                return Err(Failure::usage(
                    "The two passphrases differ; nothing was changed. Try again.",
                ));
            }
        }
        Ok(first)
    }
}
