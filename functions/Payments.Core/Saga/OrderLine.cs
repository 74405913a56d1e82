using System.Text.RegularExpressions;

namespace Payments.Saga;

public sealed record OrderLine(string Sku, int Quantity);
