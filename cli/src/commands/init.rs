use super::Outcome;
use super::passphrase::Input;
use kapnotes::Vault;
use std::path::Path;
use std::process::ExitCode;

pub fn run(vault_path: &Path, input: &mut Input) -> Outcome {
    let passphrase = input.new_secret("New passphrase")?;
    let (vault, recovery) = Vault::create(vault_path, &passphrase)?;
    vault.lock();
    eprintln!("Created the vault at {}.", vault_path.display());
    eprintln!();
    eprintln!("Below is the recovery key. It is shown only this once: write it down and keep it");
    eprintln!("somewhere safe, away from this computer. With it you can set a new passphrase if");
    eprintln!(
        "you forget yours (kapnotes recover). Without the passphrase or this key, nobody can"
    );
    eprintln!("read the vault, and nobody can recover it for you.");
    eprintln!();
    println!("{}", recovery.dangerously_reveal().as_str());
    Ok(ExitCode::SUCCESS)
}
