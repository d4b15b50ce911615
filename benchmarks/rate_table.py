"""The rows the engine's speed benchmarks print: epochs/s as median [worst] of interleaved
repeats, and mlp_core's ratio to each peer, taken repeat by repeat before the median."""

import statistics


def median_worst(rates):
    return f"{statistics.median(rates):.0f} [{min(rates):.0f}]"


def print_head(peers, extra):
    """The table's head: the case, mlp_core, each peer with its ratio, then ``extra``."""
    head = "| case | mlp_core | " + " | ".join(f"{p} | ratio" for p in peers) + extra
    print(head)
    print("|---" * (head.count("|") - 1) + "|")


def rate_cells(case, rates, peers):
    """The first cells of ``case``'s row; ``rates`` maps "mlp_core", each peer and
    "recorded" to the rates of the repeats, in the same order."""
    ours = rates["mlp_core"]
    cells = [case, median_worst(ours)]
    for p in peers:
        ratios = [a / b for a, b in zip(ours, rates[p])]
        cells += [median_worst(rates[p]),
                  f"{statistics.median(ratios):.2f}x [{min(ratios):.2f}x]"]
    cells.append(median_worst(rates["recorded"]))
    return cells
