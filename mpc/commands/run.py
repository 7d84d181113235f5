"""`mpc run SCRIPT`: run a script's `main(session)` as one party (or every party, with --local N).

The script is any Python file defining `main(session)` (another name with --function).  With
`--config parties.toml --party NAME` this host plays party NAME and connects to the others; with
`--local N` all N parties run here in separate processes, named by `--names a,b,...`, else by the
script's `PARTIES = ["a", "b", ...]`, else party0, party1, ...  Connections are CurveZMQ unless
`--insecure` (a config with security = "none" needs it too).  The party's result is printed (as JSON
with --json when it can be).
"""
from __future__ import annotations

import dataclasses
import json
import runpy
from pathlib import Path

from mpc.errors import ConfigError


def register(commands) -> None:
    parser = commands.add_parser("run", help="run SCRIPT's main(session) as a party",
                                 description=__doc__.split("\n\n")[1])
    parser.add_argument("script", help="Python file defining main(session)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--config", help="party configuration (TOML) shared by all parties")
    where.add_argument("--local", type=int, metavar="N", help="run all N parties on this machine")
    parser.add_argument("--party", help="this host's party name in the config")
    parser.add_argument("--secret-key", help="this party's key file (default: NAME.key beside the config)")
    parser.add_argument("--function", default="main", help="function to call (default: main)")
    parser.add_argument("--names", metavar="A,B,...", help="with --local: the parties' names (default: the "
                        "script's PARTIES list, else party0, party1, ...)")
    parser.add_argument("--insecure", action="store_true", help="plain TCP between the parties: no encryption, "
                        "no authentication (trusted networks and local tests only)")
    parser.add_argument("--timeout", type=float, help="seconds any wait on a peer may take "
                        "(default: the config's timeout; 60 with --local)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def load_script(script: str, name: str):
    """(the function, the script's PARTIES names or None)."""
    path = Path(script)
    if not path.is_file():
        raise ConfigError(f"{script}: no such script")
    namespace = runpy.run_path(str(path), run_name="mpc_job")
    function = namespace.get(name)
    if not callable(function):
        raise ConfigError(f"{script}: defines no function {name}(session)")
    return function, namespace.get("PARTIES")


def load_function(script: str, name: str):
    return load_script(script, name)[0]


def local_names(option: str | None, from_script, parties: int) -> list[str]:
    from mpc.runtime.config import PARTY_NAME
    if option:
        names, where = [n.strip() for n in option.split(",")], "--names"
    elif from_script is not None:
        names, where = list(from_script), "the script's PARTIES"
    else:
        return [f"party{i}" for i in range(parties)]
    if len(names) != parties:
        raise ConfigError(f"{where} names {len(names)} parties, --local runs {parties}")
    if any(not isinstance(n, str) or not PARTY_NAME.match(n) for n in names) or len(set(names)) != len(names):
        raise ConfigError(f"{where}: distinct names of 1-64 letters, digits, '_', '.', '-'")
    return names


def _show(result, as_json: bool) -> None:
    if as_json:
        try:
            print(json.dumps(result.tolist() if hasattr(result, "tolist") else result))
            return
        except TypeError:
            pass
    print(result)


def run(args) -> int:
    from mpc.runtime import load_config, run_local, session_from_config
    function, script_names = load_script(args.script, args.function)
    if args.local:
        names = local_names(args.names, script_names, args.local)
        results = run_local(function, parties=args.local, timeout=args.timeout or 60.0, names=names,
                            security="none" if args.insecure else "curve")
        for name, result in zip(names, results):
            print(f"{name}: ", end="")
            _show(result, args.json)
        return 0
    if args.names:
        raise ConfigError("--names is for --local; with --config the names come from the config")
    if not args.party:
        raise ConfigError("--config needs --party NAME (this host's party)")
    config = load_config(args.config)
    if args.insecure:
        config = dataclasses.replace(config, security="none")
    elif config.security == "none":
        raise ConfigError(f"{config.where()}security = \"none\" is plain TCP: pass --insecure to confirm it")
    with session_from_config(config, args.party, secret_key=args.secret_key,
                             timeout=args.timeout) as session:
        result = function(session)
    _show(result, args.json)
    return 0
