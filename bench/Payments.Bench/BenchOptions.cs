using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Payments.Benchmarks;

/// <summary>
/// Sizes and schedules of one run, bound from the <c>Bench</c> configuration section
/// (<c>--Bench:SagaOrders 10</c>) and validated before anything starts: defaults finish in minutes
/// on 2 cores, <c>--smoke</c> in seconds.
/// </summary>
/// <remarks>
/// A list is one comma-separated value (<c>--Bench:Suites intake,saga</c>); a recovery schedule is a
/// list of <c>first:period</c> pairs in seconds (<c>--Bench:Lane 1:2,5:5</c>). The suites read the
/// parsed forms (<see cref="SuiteNames"/>, <see cref="LaneCases"/>, ...).
/// </remarks>
public sealed class BenchOptions
{
    public const string Section = "Bench";

    public static readonly string[] AllSuites = ["intake", "intake-registered", "saga", "requests", "reconciliation", "recovery", "backlog", "history"];

    private const string AtLeast = "{0} must be at least {1}.";

    /// <summary>Start from <see cref="SmokeSizes"/> instead of the defaults; settings given alongside still win.</summary>
    public bool Smoke { get; set; }

    /// <summary>Comma-separated suites, run in this order.</summary>
    public string Suites { get; set; } = string.Join(',', AllSuites);

    /// <summary>Results folder; bench/results when unset.</summary>
    public string? OutputDirectory { get; set; }

    // Intake: alternating rounds of bare and intake, so drift hits both alike.
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int IntakeRounds { get; set; } = 3;

    [Range(0.5, double.MaxValue, ErrorMessage = AtLeast)]
    public double IntakePhaseSeconds { get; set; } = 4;

    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int IntakeClients { get; set; } = 32;

    /// <summary>The fixed offered load as a fraction of the intake's measured saturation throughput.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, ErrorMessage = "{0} must be above {1} and at most {2}.")]
    public double IntakeOfferedFraction { get; set; } = 0.5;

    /// <summary>Orders whose running sagas receive the intake-registered suite's callbacks (declines: each keeps its saga waiting).</summary>
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int IntakeRegisteredOrders { get; set; } = 200;

    /// <summary>
    /// Where the intake-registered suite's host keeps its Durable state, one measurement per item:
    /// <c>separate</c> (its own Azurite, as the task hub can have its own storage account in Azure, so
    /// the saga's episodes do not share the Azurite thread the inbox, orders and bare insert use) and
    /// <c>shared</c> (one Azurite for everything, the old measurement).
    /// </summary>
    public string IntakeDurableStorage { get; set; } = "separate";

    // Requests: storage requests per paid order through the counting proxy.
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int RequestOrders { get; set; } = 50;

    /// <summary>How long the idle host's background (Durable polling) is measured, to subtract it from the phases.</summary>
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int RequestIdleSeconds { get; set; } = 10;

    // Saga: one burst of payments per configuration.
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int SagaOrders { get; set; } = 100;

    /// <summary>Also run the partition/concurrency sweep.</summary>
    public bool SagaSweep { get; set; } = true;

    // Reconciliation: statement sizes, and the ledger they are matched against (fixed size, so memory can only grow with the statement).

    /// <summary>Comma-separated statement sizes in lines.</summary>
    public string StatementLines { get; set; } = "100000,1000000";

    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int LedgerOrders { get; set; } = 100_000;

    /// <summary>
    /// Orders of the day on Azurite (captures spread over the day, one statement line each) for the
    /// statement run against a bare range scan of the same orders. At least 288, so every five minutes
    /// of the day has a capture (the run's look-back before a line).
    /// </summary>
    [Range(288, int.MaxValue, ErrorMessage = AtLeast)]
    public int ReconcilerOrders { get; set; } = 10_000;

    /// <summary>Comma-separated statement sizes the whole statement run reconciles against those orders (memory flat across them).</summary>
    public string RunLines { get; set; } = "100000,400000";

    /// <summary>Statement rows per chunk (one activity each) in the statement run.</summary>
    [Range(1, 50_000, ErrorMessage = "{0} must be between {1} and {2}.")]
    public int ChunkLines { get; set; } = 5_000;

    // Recovery, in seconds: the saga's payment windows; the reconciler's active query as (query after, timer period);
    // the retry lane as (first back-off, drain timer period).

    /// <summary>Comma-separated payment windows.</summary>
    public string PaymentWindows { get; set; } = "5,15";

    /// <summary>Comma-separated <c>after:period</c> pairs.</summary>
    public string ActiveQuery { get; set; } = "3:2,6:5";

    /// <summary>Comma-separated <c>backoff:period</c> pairs.</summary>
    public string Lane { get; set; } = "1:2,5:5";

    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int RecoveryOrdersPerCase { get; set; } = 6;

    // Backlog: the retry lane draining a backlog whose orders all exist, against a bare receive + delete loop on the same Azurite.

    /// <summary>Lane messages in the backlog.</summary>
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int BacklogMessages { get; set; } = 2_000;

    /// <summary>Orders (each a completed saga) the backlog's callbacks belong to.</summary>
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int BacklogOrders { get; set; } = 20;

    /// <summary>The drain's receivers (Lane:DrainConcurrency).</summary>
    [Range(1, 64, ErrorMessage = "{0} must be between {1} and {2}.")]
    public int BacklogConcurrency { get; set; } = 8;

    // History: the recovery tick and the console's counts over a small and a large history of finished orders.

    /// <summary>Comma-separated history sizes in finished orders, seeded cumulatively, measured in this order (the first is the baseline).</summary>
    public string HistorySizes { get; set; } = "1000,10000";

    /// <summary>Recovery ticks measured at each size (the median time is reported).</summary>
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int HistoryTicks { get; set; } = 5;

    // The lists as the suites read them; Bind has already refused any item these could not parse.
    public IReadOnlyList<string> SuiteNames => Items(Suites);

    public IReadOnlyList<string> IntakeDurableStorages => Items(IntakeDurableStorage);

    public IReadOnlyList<int> StatementSizes => Counts(nameof(StatementLines), StatementLines);

    public IReadOnlyList<int> RunSizes => Counts(nameof(RunLines), RunLines);

    public IReadOnlyList<int> HistoryOrderSizes => Counts(nameof(HistorySizes), HistorySizes);

    public IReadOnlyList<int> PaymentWindowSeconds => Counts(nameof(PaymentWindows), PaymentWindows);

    public IReadOnlyList<(int After, int Period)> ActiveQueryCases => Schedules(nameof(ActiveQuery), ActiveQuery);

    public IReadOnlyList<(int Backoff, int Period)> LaneCases => Schedules(nameof(Lane), Lane);

    /// <summary>The <c>--smoke</c> sizes: a layer under the command line, so a setting given with <c>--smoke</c> still wins.</summary>
    public static IReadOnlyDictionary<string, string?> SmokeSizes { get; } = new Dictionary<string, string?>
    {
        [Key(nameof(IntakeRounds))] = "1",
        [Key(nameof(IntakePhaseSeconds))] = "1",
        [Key(nameof(IntakeClients))] = "8",
        [Key(nameof(SagaOrders))] = "10",
        [Key(nameof(IntakeRegisteredOrders))] = "10",
        [Key(nameof(RequestOrders))] = "5",
        [Key(nameof(RequestIdleSeconds))] = "3",
        [Key(nameof(SagaSweep))] = "false",
        [Key(nameof(StatementLines))] = "2000,20000",
        [Key(nameof(LedgerOrders))] = "1000",
        [Key(nameof(ReconcilerOrders))] = "300",
        [Key(nameof(RunLines))] = "1000,4000",
        [Key(nameof(ChunkLines))] = "500",
        [Key(nameof(PaymentWindows))] = "2,4",
        [Key(nameof(ActiveQuery))] = "1:1,2:2",
        [Key(nameof(Lane))] = "1:1,2:2",
        [Key(nameof(RecoveryOrdersPerCase))] = "2",
        [Key(nameof(BacklogMessages))] = "300",
        [Key(nameof(BacklogOrders))] = "3",
        [Key(nameof(HistorySizes))] = "200,1000",
        [Key(nameof(HistoryTicks))] = "2",
    };

    /// <summary>Binds the <c>Bench</c> section from the command line, over the smoke sizes when <c>--smoke</c> is given.</summary>
    /// <exception cref="ValidationException">A setting is unknown, unreadable or out of range; the message names each one.</exception>
    public static BenchOptions Bind(IEnumerable<string> args)
    {
        // The command-line provider pairs every key with the next argument, so the bare --smoke switch is spelled out first.
        var commandLine = new ConfigurationBuilder()
            .AddCommandLine([.. args.Select(a => a == "--smoke" ? $"--{Key(nameof(Smoke))}=true" : a)])
            .Build();
        var settable = typeof(BenchOptions).GetProperties().Where(p => p.CanWrite).Select(p => Key(p.Name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = commandLine.AsEnumerable().Where(s => s.Value is not null && !settable.Contains(s.Key)).Select(s => "--" + s.Key).ToArray();
        if (unknown.Length > 0)
        {
            throw new ValidationException($"Unknown setting(s) {string.Join(", ", unknown)}: settings are --{Section}:Name value, see --help.");
        }

        BenchOptions options;
        try
        {
            var layers = new ConfigurationBuilder();
            if (commandLine.GetValue<bool>(Key(nameof(Smoke))))
            {
                layers.AddInMemoryCollection(SmokeSizes);
            }
            options = layers.AddConfiguration(commandLine).Build().GetSection(Section).Get<BenchOptions>() ?? new BenchOptions();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the type it could not convert to.
            throw new ValidationException(ex.Message, ex);
        }

        // The attributes check each number; the lists are checked here too, so one run names every refused setting.
        var failures = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), failures, validateAllProperties: true);
        failures.AddRange(options.ValidateLists());
        if (failures.Count > 0)
        {
            throw new ValidationException($"Invalid {Section} settings:" + string.Concat(failures.Select(f => $"{Environment.NewLine}  {f.ErrorMessage}")));
        }
        return options;
    }

    private IEnumerable<ValidationResult> ValidateLists()
    {
        if (SuiteNames.Count == 0)
        {
            yield return Refused(nameof(Suites), "names no suite");
        }
        foreach (var suite in SuiteNames.Except(AllSuites))
        {
            yield return Refused(nameof(Suites), $"'{suite}' is not a suite; the suites are {string.Join(", ", AllSuites)}");
        }
        if (IntakeDurableStorages.Count == 0 || IntakeDurableStorages.Except(["separate", "shared"]).Any())
        {
            yield return Refused(nameof(IntakeDurableStorage), "must list separate, shared or both");
        }
        const string Count = "a whole number of at least 1";
        // The timers run on a seconds cron field (*/S), which only fires evenly when S divides 60.
        const string Schedule = "first:period in whole seconds, both at least 1, the period dividing 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30)";
        var lists = Check(nameof(StatementLines), StatementLines, item => Positive(item) is not null, Count)
            .Concat(Check(nameof(RunLines), RunLines, item => Positive(item) is not null, Count))
            .Concat(Check(nameof(PaymentWindows), PaymentWindows, item => Positive(item) is not null, Count))
            .Concat(Check(nameof(HistorySizes), HistorySizes, item => Positive(item) is not null, Count))
            .Concat(Check(nameof(ActiveQuery), ActiveQuery, item => Pair(item) is not null, Schedule))
            .Concat(Check(nameof(Lane), Lane, item => Pair(item) is not null, Schedule));
        foreach (var failure in lists)
        {
            yield return failure;
        }
    }

    public const string Usage = """
        Payments benchmarks: intake (unknown and registered orders), saga throughput, storage requests per order, statement reconciliation, recovery latency, retry-lane backlog drain, recovery cost with history.
        Settings are keys of the Bench configuration section, shown here with their defaults:
        --Bench:Name value or --Bench:Name=value; a list is one comma-separated value.
          --smoke                                  tiny sizes, well under a minute (the same as --Bench:Smoke true);
                                                   settings given with it override its sizes
          --Bench:Suites intake,intake-registered,saga,requests,reconciliation,recovery,backlog,history
                                                   the suites to run, in this order
          --Bench:OutputDirectory DIR              results folder (default bench/results)
         intake
          --Bench:IntakeRounds 3                   alternating rounds of bare insert and intake
          --Bench:IntakePhaseSeconds 4             length of each phase
          --Bench:IntakeClients 32                 closed-loop clients
          --Bench:IntakeOfferedFraction 0.5        fixed offered load, as a fraction of intake saturation
         intake-registered (the intake settings above, for callbacks of orders whose sagas run)
          --Bench:IntakeRegisteredOrders 200       registered orders the callbacks are for
          --Bench:IntakeDurableStorage separate    the host's Durable state on its own Azurite (separate,
                                                   as its own storage account in Azure) and/or on the one
                                                   the inbox and the bare insert use (shared); one run each
         requests (storage requests per paid order, through a counting proxy)
          --Bench:RequestOrders 50                 orders registered, paid through intake and completed
          --Bench:RequestIdleSeconds 10            idle host measured first, subtracted from each phase
         saga
          --Bench:SagaOrders 100                   orders per configuration
          --Bench:SagaSweep true                   false skips the partition/concurrency sweep
         reconciliation
          --Bench:StatementLines 100000,1000000    statement sizes, classified against an in-memory ledger
          --Bench:LedgerOrders 100000              orders in that ledger
          --Bench:ReconcilerOrders 10000           the statement run on Azurite: orders of the day (at least 288),
                                                   one line each, against a bare range scan of the same orders
          --Bench:RunLines 100000,400000           statement sizes the whole run reconciles against them
          --Bench:ChunkLines 5000                  statement rows per chunk (one activity each)
         recovery, in seconds; a timer period must divide 60 (it is a cron seconds field)
          --Bench:PaymentWindows 5,15              saga payment windows
          --Bench:ActiveQuery 3:2,6:5              reconciler active query after:period (query after A s, timer every S s)
          --Bench:Lane 1:2,5:5                     retry lane backoff:period (first back-off B s, drain timer every S s)
          --Bench:RecoveryOrdersPerCase 6          orders per case
         backlog
          --Bench:BacklogMessages 2000             retry-lane backlog, every callback's order existing
          --Bench:BacklogOrders 20                 orders (completed sagas) those callbacks belong to
          --Bench:BacklogConcurrency 8             the drain's receivers (Lane:DrainConcurrency)
         history (the recovery tick and the console's counts over finished orders seeded into the tables)
          --Bench:HistorySizes 1000,10000          finished orders, seeded cumulatively; the first is the baseline
          --Bench:HistoryTicks 5                   recovery ticks measured at each size (median time)
        Example: ./bench/run.sh --Bench:Suites intake,saga --Bench:SagaOrders 10
        """;

    private static string Key(string property) => $"{Section}:{property}";

    private static string[] Items(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int? Positive(string item) =>
        int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 ? value : null;

    private static (int, int)? Pair(string item) =>
        item.Split(':') is [var first, var period] && Positive(first) is { } f && Positive(period) is { } p && p <= 30 && 60 % p == 0 ? (f, p) : null;

    private static IEnumerable<ValidationResult> Check(string name, string list, Func<string, bool> valid, string rule)
    {
        var items = Items(list);
        if (items.Length == 0)
        {
            yield return Refused(name, $"needs at least one value, each {rule}");
        }
        foreach (var item in items.Where(item => !valid(item)))
        {
            yield return Refused(name, $"'{item}' is not {rule}");
        }
    }

    private static ValidationResult Refused(string name, string reason) => new($"{name}: {reason}.", [name]);

    private static int[] Counts(string name, string list) => [.. Items(list).Select(item => Positive(item) ?? throw NotValidated(name, item))];

    private static (int, int)[] Schedules(string name, string list) => [.. Items(list).Select(item => Pair(item) ?? throw NotValidated(name, item))];

    private static FormatException NotValidated(string name, string item) => new($"{name}: '{item}' was not validated; bind options with {nameof(Bind)}.");
}
