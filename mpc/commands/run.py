"""`mpc run SCRIPT`: run a script's `main(session)` as one party (or every party, with --local N).

The script is any Python file defining `main(session)` (another name with --function).  With
`--config parties.toml --party NAME` this host plays party NAME and connects to the others; with
`--local N` all N parties run here in separate processes.  The party's result is printed (as JSON
with --json when it can be).
"""
from __future__ import annotations

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
    parser.add_argument("--timeout", type=float, help="seconds any wait on a peer may take")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def load_function(script: str, name: str):
    path = Path(script)
    if not path.is_file():
        raise ConfigError(f"{script}: no such script")
    namespace = runpy.run_path(str(path), run_name="mpc_job")
    function = namespace.get(name)
    if not callable(function):
        raise ConfigError(f"{script}: defines no function {name}(session)")
    return function


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
    function = load_function(args.script, args.function)
    if args.local:
        for party, result in enumerate(run_local(function, parties=args.local,
                                                 timeout=args.timeout or 60.0)):
            print(f"party {party}: ", end="")
            _show(result, args.json)
        return 0
    if not args.party:
        raise ConfigError("--config needs --party NAME (this host's party)")
    config = load_config(args.config)
    with session_from_config(config, args.party, secret_key=args.secret_key,
                             timeout=args.timeout) as session:
        result = function(session)
    _show(result, args.json)
    return 0
