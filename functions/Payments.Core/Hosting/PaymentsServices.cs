using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Adyen;
using Payments.Gateway.Alipay;
using Payments.Gateway.Simulator;
using Payments.Gateway.Stripe;
using Payments.Gateway.WeChatPay;
using Payments.Intake;
using Payments.Ledger;
using Payments.Operations;
using Payments.Recovery;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Hosting;

/// <summary>The whole composition root of the pipeline's core, shared by the Functions app and the local host.</summary>
public static class PaymentsServices
{
    public static IServiceCollection AddPaymentsCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IntakeOptions>().Bind(configuration.GetSection(IntakeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<IntakeOptions>, InboxRetentionCheck>();
        services.AddOptions<SagaOptions>().Bind(configuration.GetSection(SagaOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LaneOptions>().Bind(configuration.GetSection(LaneOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ServiceBusOptions>().Bind(configuration.GetSection(ServiceBusOptions.Section))
            .Validate(o => configuration.GetSection(LaneOptions.Section).Get<LaneOptions>()?.Transport != LaneTransport.ServiceBus
                || !string.IsNullOrWhiteSpace(o.FullyQualifiedNamespace), "ServiceBus:FullyQualifiedNamespace is required when Lane:Transport is ServiceBus.")
            .ValidateOnStart();
        services.AddOptions<OperatorAccessOptions>().Bind(configuration.GetSection(OperatorAccessOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReconcilerOptions>().Bind(configuration.GetSection(ReconcilerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MonitorOptions>().Bind(configuration.GetSection(MonitorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.InstanceRetentionDays >= (configuration.GetSection(IntakeOptions.Section).Get<IntakeOptions>() ?? new IntakeOptions()).InboxRetentionDays,
                $"{RetentionOptions.Section}:{nameof(RetentionOptions.InstanceRetentionDays)} must be at least {IntakeOptions.Section}:{nameof(IntakeOptions.InboxRetentionDays)}: a callback a gateway may still retry must find its saga.")
            .ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section))
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => CreateStorage(sp.GetRequiredService<IOptions<StorageOptions>>().Value));

        // One line per gateway connector; each brings its own settings section and secrets.
        services.AddSimulatorConnector(configuration);
        services.AddStripeConnector(configuration);
        services.AddWeChatPayConnector(configuration);
        services.AddAlipayConnector(configuration);
        services.AddAdyenConnector(configuration);
        services.AddSingleton(sp => new GatewayConnectors(sp.GetServices<IGatewayConnector>()));
        services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<GatewayConnectors>());
        services.AddSingleton(sp => ProviderRegistry.FromConnectors(
            sp.GetRequiredService<GatewayConnectors>().All, sp.GetRequiredService<IOptions<IntakeOptions>>().Value.Tolerance));
        services.AddSingleton(sp => new KnownProviders(
            sp.GetRequiredService<ProviderRegistry>().Names,
            sp.GetRequiredService<GatewayConnectors>().All
                .Where(c => c.Currencies is not null)
                .ToDictionary(c => c.Name, c => c.Currencies!)));
        services.AddSingleton<SecretsHealth>();
        services.AddSingleton(sp => new InboxStore(
            sp.GetRequiredService<PaymentsStorage>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromDays(sp.GetRequiredService<IOptions<IntakeOptions>>().Value.InboxRetentionDays),
            sp.GetRequiredService<KnownProviders>().Names));
        services.AddSingleton<StockLedger>();
        services.AddSingleton<IStockReservations>(sp => sp.GetRequiredService<StockLedger>());
        services.AddSingleton<PointsLedger>();
        services.AddSingleton<IPointsGrants>(sp => sp.GetRequiredService<PointsLedger>());
        services.AddSingleton<OrderBook>();
        services.AddSingleton<MoneyLedger>();
        services.AddSingleton<MoneyFindingStore>();
        services.AddSingleton<MoneyMonitor>();
        services.AddSingleton<OrderReversal>();
        services.AddSingleton<RefundFollowUp>();
        services.AddSingleton<DisputeFollowUp>();
        services.AddSingleton<AfterSalesRefunds>();
        services.AddSingleton<RefundTracker>();
        services.AddSingleton<ParkedItems>();
        services.AddSingleton<OpenOrchestrationIndex>();
        services.AddSingleton<LaneWaitingIndex>();
        services.AddSingleton<PaymentDispatch>();
        services.AddSingleton<IStoredCallbackDispatch>(sp => sp.GetRequiredService<PaymentDispatch>());
        services.AddSingleton<CallbackIntake>();
        services.AddSingleton<CallbackCapture>();
        services.AddSingleton<OrderRegistration>();
        services.AddSingleton<OrderQuery>();
        services.AddSingleton<OutboxRelay>();
        services.AddSingleton(CreateLane);
        services.AddSingleton<RetryLane>();
        services.AddSingleton<DeadLetterStore>();
        services.AddSingleton<DeadLetterDesk>();
        services.AddSingleton(sp => new OpenOrchestrationBackfill(sp.GetRequiredService<OpenOrchestrationIndex>()));
        services.AddSingleton<IndexUpgrade>();
        services.AddSingleton<CrashedSagaSweep>();
        services.AddSingleton<FailedRefundSweep>();
        services.AddSingleton<Reconciler>();
        services.AddSingleton<ReconciliationStore>();
        services.AddSingleton<StatementStage>();
        services.AddSingleton<StatementReconciler>();
        services.AddSingleton<RefundDesk>();
        services.AddSingleton<OperatorAudit>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<TimelineReader>();
        services.AddSingleton<TimelineArchive>();
        services.AddSingleton<InstanceRetention>();
        services.TryAddSingleton<IOrchestrationHistory, DurableClientHistory>();
        services.AddSingleton<OperatorWork>();
        services.AddSingleton<LiveCountsCache>();
        services.AddTransient<SagaActivities>();

        return services;
    }

    private static IMessageLane CreateLane(IServiceProvider services)
    {
        var lane = services.GetRequiredService<IOptions<LaneOptions>>().Value;
        if (lane.Transport == LaneTransport.StorageQueue)
        {
            return new StorageQueueLane(services.GetRequiredService<PaymentsStorage>(), lane.QueueName);
        }
        var serviceBus = services.GetRequiredService<IOptions<ServiceBusOptions>>().Value;
        return ServiceBusLane.Create(new ServiceBusClient(serviceBus.FullyQualifiedNamespace, new DefaultAzureCredential()), lane.QueueName);
    }

    /// <summary>
    /// Storage clients with short retries rather than the SDK's default minute of back-off. Even these
    /// (three tries of up to 10 s each) outlast a gateway's deadline: intake bounds its calls with its own
    /// budget (<see cref="IntakeOptions.StorageBudget"/>), a cancellation that stops a try and its retries.
    /// </summary>
    public static PaymentsStorage CreateStorage(StorageOptions options)
    {
        options.Validate();
        var tableOptions = new TableClientOptions();
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var blobOptions = new BlobClientOptions();
        foreach (var retry in new[] { tableOptions.Retry, queueOptions.Retry, blobOptions.Retry })
        {
            retry.MaxRetries = 2;
            retry.Delay = TimeSpan.FromMilliseconds(200);
            retry.MaxDelay = TimeSpan.FromSeconds(2);
            retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        }
        if (options.UsesConnectionString)
        {
            return new PaymentsStorage(
                new TableServiceClient(options.ConnectionString, tableOptions),
                new QueueServiceClient(options.ConnectionString, queueOptions),
                new BlobServiceClient(options.ConnectionString, blobOptions),
                options.NamePrefix);
        }
        TokenCredential credential = new DefaultAzureCredential();
        return new PaymentsStorage(
            new TableServiceClient(new Uri(options.TableServiceUri), credential, tableOptions),
            new QueueServiceClient(new Uri(options.QueueServiceUri), credential, queueOptions),
            new BlobServiceClient(new Uri(options.BlobServiceUri), credential, blobOptions),
            options.NamePrefix);
    }
}
