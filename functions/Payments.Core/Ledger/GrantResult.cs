using Azure.Data.Tables;
using Payments.Hosting;
using Payments.Saga;

namespace Payments.Ledger;

public enum GrantResult { Granted, AlreadyGranted }
