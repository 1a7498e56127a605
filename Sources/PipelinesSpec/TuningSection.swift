import Estimators
import Pipelines

extension SpecReader {
    /// `tuning`: hyper-parameter name → a value (kept) or an array of values (a grid).
    ///
    /// Values keep their JSON/YAML type; integers given for a real hyper-parameter of the
    /// named estimator (when the catalog knows it) become reals. Unknown names and values out
    /// of range are left for the SDK's validation, which reports them at the same paths.
    func tuning(_ field: Field, estimator: String?) throws(SpecError) -> TuningStep {
        let schema = estimator.flatMap { try? estimators.estimatorType(named: $0).hyperParameters }
        var step = TuningStep()
        for (name, setting) in try field.object(allowed: nil).fields {
            let isReal: Bool
            if case .double = schema?[name]?.kind { isReal = true } else { isReal = false }
            if case .sequence = setting.node.content {
                var values: [HyperParameterValue] = []
                for element in try setting.array() {
                    values.append(try hyperParameterValue(element, real: isReal))
                }
                step[name] = .multiple(values)
            } else {
                step[name] = .single(try hyperParameterValue(setting, real: isReal))
            }
        }
        return step
    }

    private func hyperParameterValue(_ field: Field, real: Bool) throws(SpecError) -> HyperParameterValue {
        guard case .scalar(let scalar) = field.node.content else {
            throw field.typeError(expected: "a hyper-parameter value (a number, a string, a boolean or null)")
        }
        switch scalar {
        case .null: return .none
        case .bool(let value): return .bool(value)
        case .string(let value): return .string(value)
        case .float(let value, _): return .double(value)
        case .int:
            return real ? .double(try field.number()) : .int(try field.integer())
        }
    }
}
