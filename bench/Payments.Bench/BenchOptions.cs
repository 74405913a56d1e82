using System.Globalization;

namespace Payments.Benchmarks;

/// <summary>Sizes and schedules of one run: defaults finish in minutes on 2 cores, <c>--smoke</c> in seconds.</summary>
public sealed record BenchOptions
{
    public static readonly string[] AllSuites = ["intake", "saga", "reconciliation", "recovery"];

    public bool Smoke { get; init; }
    public IReadOnlyList<string> Suites { get; init; } = AllSuites;
    public string? OutputDirectory { get; init; }

    // Intake: alternating rounds of bare and intake, so drift hits both alike.
    public int IntakeRounds { get; init; } = 3;
    public double IntakePhaseSeconds { get; init; } = 4;
    public int IntakeClients { get; init; } = 32;
    /// <summary>The fixed offered load as a fraction of the intake's measured saturation throughput.</summary>
    public double IntakeOfferedFraction { get; init; } = 0.5;

    // Saga: one burst of payments per configuration.
    public int SagaOrders { get; init; } = 100;
    public bool SagaSweep { get; init; } = true;

    // Reconciliation: statement sizes, and the ledger they are matched against (fixed size, so memory can only grow with the statement).
    public IReadOnlyList<int> StatementLines { get; init; } = [100_000, 1_000_000];
    public int LedgerOrders { get; init; } = 100_000;

    // Recovery, in seconds: the saga's payment windows; the reconciler's active query as (query after, timer period);
    // the retry lane as (first back-off, drain timer period). Periods must divide 60 (a seconds cron field).
    public IReadOnlyList<int> PaymentWindows { get; init; } = [5, 15];
    public IReadOnlyList<(int After, int Period)> ActiveQuery { get; init; } = [(3, 2), (6, 5)];
    public IReadOnlyList<(int Backoff, int Period)> Lane { get; init; } = [(1, 2), (5, 5)];
    public int RecoveryOrdersPerCase { get; init; } = 6;
    public int ReconcilerLines { get; init; } = 5_000;
    public int ReconcilerOrders { get; init; } = 1_000;

    public static BenchOptions SmokeSized() => new()
    {
        Smoke = true,
        IntakeRounds = 1,
        IntakePhaseSeconds = 1,
        IntakeClients = 8,
        SagaOrders = 10,
        SagaSweep = false,
        StatementLines = [2_000, 20_000],
        LedgerOrders = 1_000,
        PaymentWindows = [2, 4],
        ActiveQuery = [(1, 1), (2, 2)],
        Lane = [(1, 1), (2, 2)],
        RecoveryOrdersPerCase = 2,
        ReconcilerLines = 300,
        ReconcilerOrders = 100,
    };

    public static BenchOptions Parse(string[] args)
    {
        var options = args.Contains("--smoke") ? SmokeSized() : new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--smoke" => options,
                "--only" => options with { Suites = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--out" => options with { OutputDirectory = Next() },
                "--rounds" => options with { IntakeRounds = Int(Next()) },
                "--seconds" => options with { IntakePhaseSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--clients" => options with { IntakeClients = Int(Next()) },
                "--orders" => options with { SagaOrders = Int(Next()) },
                "--no-sweep" => options with { SagaSweep = false },
                "--lines" => options with { StatementLines = Ints(Next()) },
                "--ledger" => options with { LedgerOrders = Int(Next()) },
                "--windows" => options with { PaymentWindows = Ints(Next()) },
                "--active-query" => options with { ActiveQuery = Pairs(Next()) },
                "--lane" => options with { Lane = Pairs(Next()) },
                "--reconciler-lines" => options with { ReconcilerLines = Int(Next()) },
                "--reconciler-orders" => options with { ReconcilerOrders = Int(Next()) },
                "--recovery-orders" => options with { RecoveryOrdersPerCase = Int(Next()) },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'."),
            };
        }
        var unknown = options.Suites.Except(AllSuites).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Unknown suite(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllSuites)}.");
        }
        if (options.ActiveQuery.Concat(options.Lane).Any(p => p.Item2 is < 1 or > 30 || 60 % p.Item2 != 0 || p.Item1 < 1) || options.PaymentWindows.Any(w => w < 1))
        {
            throw new ArgumentException("Timer periods must divide 60 (1..30 s), delays and windows at least 1 s.");
        }
        return options;
    }

    public const string Usage = """
        Payments benchmarks: intake, saga throughput, statement reconciliation, recovery latency.
          --smoke                 tiny sizes, everything in well under a minute
          --only a,b              suites: intake, saga, reconciliation, recovery
          --out DIR               results folder (default bench/results)
          --rounds N --seconds S --clients C      intake: alternating rounds, phase length, closed-loop clients
          --orders N --no-sweep   saga: orders per configuration; skip the partition/concurrency sweep
          --lines 100000,1000000 --ledger N       reconciliation: statement sizes; in-memory ledger orders
          --reconciler-lines N --reconciler-orders N   the pipeline's StatementReconciler on Azurite: lines; seeded orders
          --windows 5,15          recovery: saga payment windows (s)
          --active-query 3:2,6:5  recovery: reconciler active query after A s, timer every S s
          --lane 1:2,5:5          recovery: retry lane first back-off B s, drain timer every S s
          --recovery-orders N     recovery: orders per case
        """;

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static int[] Ints(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int).ToArray();

    private static (int, int)[] Pairs(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split(':') is [var a, var b] ? (Int(a), Int(b)) : throw new ArgumentException($"'{p}' is not A:S.")).ToArray();
}
