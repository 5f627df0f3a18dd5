"""`flask seed-demo`: each module registers what it adds, in order."""

_SEEDERS: list[tuple[int, str, object]] = []


def seeder(order: int):
    """Register a module's demo-data function; lower ``order`` runs first."""

    def decorator(func):
        _SEEDERS.append((order, func.__module__, func))
        return func

    return decorator


def run_seeders(echo) -> None:
    for _order, _module, func in sorted(_SEEDERS, key=lambda item: (item[0], item[1])):
        func(echo)
